using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

public sealed class NamedSemaphoreTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    private string Name => $"{_context.Prefix}-sem";

    [Fact]
    public void OpenOrCreate_New_IsFreeWithMode0600()
    {
        var semaphore = _context.OpenSemaphore(Name);

        semaphore.GetValue().Should().Be(1);
        semaphore.Name.Should().Be("/" + Name);
        File.GetUnixFileMode($"/dev/shm/sem.{Name}").Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void TryWait_Twice_SecondFailsWithoutBlocking()
    {
        var semaphore = _context.OpenSemaphore(Name);

        semaphore.TryWait().Should().BeTrue();
        semaphore.TryWait().Should().BeFalse();
        semaphore.GetValue().Should().Be(0);
    }

    [Fact]
    public void Post_AfterWait_MakesItFreeAgain()
    {
        var semaphore = _context.OpenSemaphore(Name);
        semaphore.TryWait();

        semaphore.Post();

        semaphore.GetValue().Should().Be(1);
    }

    [Fact]
    public void Handles_OnSameName_ShareTheValue()
    {
        var first = _context.OpenSemaphore(Name);
        var second = _context.OpenSemaphore(Name);

        first.TryWait().Should().BeTrue();

        second.GetValue().Should().Be(0);
        second.TryWait().Should().BeFalse();
    }

    [Fact]
    public void Wait_ZeroTimeoutWhileHeld_ReturnsFalse()
    {
        var semaphore = _context.OpenSemaphore(Name);
        semaphore.TryWait();

        semaphore.Wait(LockTimeout.Zero).Should().BeFalse();
    }

    [Fact]
    public void Wait_ZeroTimeoutWhileFree_Acquires()
    {
        var semaphore = _context.OpenSemaphore(Name);

        semaphore.Wait(LockTimeout.Zero).Should().BeTrue();
        semaphore.GetValue().Should().Be(0);
    }

    [Fact]
    public void Wait_ShortTimeoutWhileHeld_TimesOut()
    {
        var semaphore = _context.OpenSemaphore(Name);
        semaphore.TryWait();

        semaphore.Wait(LockTimeout.FromSeconds(0.05)).Should().BeFalse();
        semaphore.GetValue().Should().Be(0);
    }

    [Fact]
    public void Wait_PostedFromAnotherThread_ReturnsTrue()
    {
        var holder = _context.OpenSemaphore(Name);
        var waiter = _context.OpenSemaphore(Name);
        holder.TryWait();
        using var waiting = new ManualResetEventSlim();
        var acquired = false;
        var thread = new Thread(() =>
        {
            waiting.Set();
            acquired = waiter.Wait(LockTimeout.FromSeconds(30));
        });
        thread.Start();
        waiting.Wait();

        holder.Post();

        thread.Join(TimeSpan.FromSeconds(10)).Should().BeTrue();
        acquired.Should().BeTrue();
        holder.GetValue().Should().Be(0);
    }

    [Fact]
    public void TryOpenExisting_Missing_ReturnsNullAndCreatesNothing()
    {
        NamedSemaphore.TryOpenExisting("/" + Name).Should().BeNull();

        _context.SemaphoreFiles().Should().BeEmpty();
    }

    [Fact]
    public void Unlink_Existing_RemovesNameThenReportsMissing()
    {
        _context.OpenSemaphore(Name);

        NamedSemaphore.Unlink("/" + Name).Should().BeTrue();

        _context.SemaphoreFiles().Should().BeEmpty();
        NamedSemaphore.Unlink("/" + Name).Should().BeFalse();
    }

    [Fact]
    public void OpenOrCreate_NameWithSlash_ThrowsRegistryExceptionNamingSemaphore()
    {
        var act = () => NamedSemaphore.OpenOrCreate($"/{_context.Prefix}/bad");

        act.Should().Throw<RegistryException>().WithMessage($"Could not open semaphore '/{_context.Prefix}/bad'*The semaphore name is not valid*");
    }
}
