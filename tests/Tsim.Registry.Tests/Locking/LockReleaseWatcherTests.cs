using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

public sealed class LockReleaseWatcherTests : IDisposable
{
    private static readonly TimeSpan s_eventDeadline = TimeSpan.FromSeconds(5);

    private readonly RegistryTestContext _context = new();
    private readonly LockReleaseWatcher _watcher;

    public LockReleaseWatcherTests()
    {
        _context.EnsureDirectories();
        _watcher = _context.Track(new LockReleaseWatcher(_context.LockDirectory));
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public async Task Subscribe_WatchedFileCreated_Completes()
    {
        using var subscription = _watcher.Subscribe("router_r1_notify", "owner");

        await File.WriteAllTextAsync(Path.Combine(_context.LockDirectory, "router_r1_notify"), string.Empty);

        await subscription.Changed.WaitAsync(s_eventDeadline);
        subscription.Changed.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Subscribe_WatchedFileDeleted_Completes()
    {
        var owner = Path.Combine(_context.LockDirectory, "owner");
        await File.WriteAllTextAsync(owner, "x");
        using var subscription = _watcher.Subscribe("router_r1_notify", "owner");

        File.Delete(owner);

        await subscription.Changed.WaitAsync(s_eventDeadline);
        subscription.Changed.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Subscribe_ExistingFileTouched_Completes()
    {
        var notify = Path.Combine(_context.LockDirectory, "router_r1_notify");
        await File.WriteAllTextAsync(notify, string.Empty);
        using var subscription = _watcher.Subscribe("router_r1_notify");

        File.SetLastWriteTimeUtc(notify, DateTime.UtcNow);

        await subscription.Changed.WaitAsync(s_eventDeadline);
        subscription.Changed.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Subscribe_OtherFileChanged_DoesNotComplete()
    {
        using var subscription = _watcher.Subscribe("router_r1_notify");
        using var witness = _watcher.Subscribe("router_r2_notify");

        await File.WriteAllTextAsync(Path.Combine(_context.LockDirectory, "router_r2_notify"), string.Empty);

        // The witness saw the event, so it has been dispatched: the other subscription had its chance.
        await witness.Changed.WaitAsync(s_eventDeadline);
        subscription.Changed.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public void Dispose_WithPendingSubscription_CompletesIt()
    {
        var watcher = new LockReleaseWatcher(_context.LockDirectory);
        using var subscription = watcher.Subscribe("router_r1_notify");

        watcher.Dispose();

        subscription.Changed.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public void Subscribe_AfterDispose_ThrowsObjectDisposed()
    {
        var watcher = new LockReleaseWatcher(_context.LockDirectory);
        watcher.Dispose();

        var act = () => watcher.Subscribe("router_r1_notify");

        act.Should().Throw<ObjectDisposedException>();
    }
}
