using System.Globalization;

namespace Tsim.Registry.Locking;

/// <summary>One of the three registry locks, held by a library call until disposed.</summary>
internal readonly struct RegistryLockHold : IDisposable
{
    /// <summary>The holder id of registry locks: they are held inside one call, so only the process matters.</summary>
    internal static readonly string JobId = "registry-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    private readonly LockManager _locks;
    private readonly LockName _name;

    internal RegistryLockHold(LockManager locks, LockName name)
    {
        _locks = locks;
        _name = name;
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _locks.Release(_name, JobId);
}
