using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// A transaction log that cannot be written fails construction once, with the path and the reason, instead of every
/// later operation (Storage/AuditLogTests covers a missing directory and a directory in the log's place).
/// </summary>
public sealed class AuditLogHardeningTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Constructor_LogPathIsSymlink_FailsWithoutAppendingToTarget()
    {
        Directory.CreateDirectory(_context.RegistryDirectory);
        var victim = Path.Combine(_context.RegistryDirectory, "victim.txt");
        File.WriteAllText(victim, "precious\n");
        var log = Path.Combine(_context.RegistryDirectory, "tx.log");
        File.CreateSymbolicLink(log, victim);

        var act = () => _context.CreateManager(o => Enable(o, log));

        act.Should().Throw<RegistryException>()
            .WithMessage($"The transaction log '{log}' cannot be opened for appending*errno 40*set enable_transaction_log to false*");
        File.ReadAllText(victim).Should().Be("precious\n");
    }

    [Fact]
    public void Constructor_LogDirectoryIsAFile_FailsNamingPath()
    {
        Directory.CreateDirectory(_context.RegistryDirectory);
        var file = Path.Combine(_context.RegistryDirectory, "not-a-dir");
        File.WriteAllText(file, string.Empty);
        var log = Path.Combine(file, "tx.log");

        var act = () => _context.CreateManager(o => Enable(o, log));

        act.Should().Throw<RegistryException>().WithMessage($"The transaction log '{log}' cannot be opened for appending*Not a directory*");
    }

    [Fact]
    public void Constructor_UnwritableLog_FailsBeforeAnyLockOrRegistryFileExists()
    {
        var log = Path.Combine(_context.RegistryDirectory, "missing", "tx.log");

        var act = () => _context.CreateManager(o => Enable(o, log));

        act.Should().Throw<RegistryException>();
        _context.SemaphoreFiles().Should().BeEmpty();
        Directory.GetFiles(_context.RegistryDirectory).Should().BeEmpty();
    }

    [Fact]
    public void Operations_LogOpenedFine_AreLoggedAndNeverFailBecauseOfIt()
    {
        var log = Path.Combine(_context.RegistryDirectory, "tx.log");
        Directory.CreateDirectory(_context.RegistryDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var manager = _context.CreateManager(o => Enable(o, log));
        FileStatus.Of(log).Permissions.Should().Be(0b110_000_000, "the log names hosts and jobs");
        File.Delete(log); // Gone under the open descriptor: appends still succeed (to the unlinked inode).

        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        manager.UnregisterHost("web-1").Should().BeTrue();
    }

    private static void Enable(RegistryManagerOptions options, string path)
    {
        options.EnableTransactionLog = true;
        options.TransactionLogPath = path;
    }
}
