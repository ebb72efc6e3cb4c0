using Tsim.Registry.Interop;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Native;

/// <summary><see cref="FileDescriptor"/>: the one write(2) loop of every file written through a raw descriptor.</summary>
public sealed class FileDescriptorTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly string _path;

    public FileDescriptorTests()
    {
        _context.EnsureDirectories();
        _path = Path.Combine(_context.RegistryDirectory, "written");
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void WriteAll_SeveralMegabytes_WritesEveryByteInOrder()
    {
        // Not a multiple of any block or page size, so a loop that lost or repeated a partial chunk would show.
        var bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(11).NextBytes(bytes);
        using (var handle = Libc.Open(_path, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC, 0b110_000_000))
        {
            handle.IsInvalid.Should().BeFalse();

            FileDescriptor.WriteAll(handle, _path, bytes);
        }

        File.ReadAllBytes(_path).Should().Equal(bytes);
    }

    [Fact]
    public void WriteAll_Empty_WritesNothing()
    {
        using (var handle = Libc.Open(_path, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC, 0b110_000_000))
        {
            FileDescriptor.TryWriteAll(handle, []).Should().Be(0);
        }

        new FileInfo(_path).Length.Should().Be(0);
    }

    [Fact]
    public void WriteAll_DescriptorNotOpenForWriting_ThrowsIOExceptionNamingThePath()
    {
        File.WriteAllText(_path, "keep");
        using var handle = Libc.Open(_path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC, 0);

        FileDescriptor.TryWriteAll(handle, "x"u8).Should().Be(9, "EBADF: the descriptor is not open for writing");
        var act = () => FileDescriptor.WriteAll(handle, _path, "x"u8.ToArray());

        act.Should().Throw<IOException>().WithMessage($"Could not write '{_path}': *(errno 9).");
        File.ReadAllText(_path).Should().Be("keep");
    }
}
