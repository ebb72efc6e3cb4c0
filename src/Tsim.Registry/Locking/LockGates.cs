using System.Collections.Concurrent;

namespace Tsim.Registry.Locking;

/// <summary>The gates (<see cref="LockGate"/>) of one manager's locks, created on first use; none in a registry shared with Python.</summary>
internal sealed class LockGates(OwnerRecords records, bool gated) : IDisposable
{
    private readonly ConcurrentDictionary<string, LockGate> _gates = new(StringComparer.Ordinal);

    /// <summary>Gets the lock's gate, or <see langword="null"/> when locks have none.</summary>
    /// <param name="name">The lock.</param>
    /// <param name="semaphore">This manager's instance of the lock's semaphore (<see cref="SemaphoreTable.GetOrOpen"/>), whose file carries the gate.</param>
    /// <exception cref="RegistryException">The lock's slot file cannot be created or mapped.</exception>
    /// <exception cref="ObjectDisposedException">The manager's resources were closed.</exception>
    internal LockGate? For(LockName name, NamedSemaphore semaphore) =>
        !gated ? null
        : _gates.TryGetValue(name.Value, out var gate) ? gate
        : _gates.GetOrAdd(name.Value, static (_, state) => new LockGate(state.semaphore, state.records.Slot(state.name)), (records, name, semaphore));

    /// <summary>Disposes every gate; called once no operation of the manager is in flight.</summary>
    public void Dispose()
    {
        foreach (var gate in _gates.Values)
        {
            gate.Dispose();
        }

        _gates.Clear();
    }
}
