using System.Runtime.InteropServices;

namespace Tsim.Registry.Locking;

/// <summary>One access to a mapping, ended by Dispose (which releases the reference <see cref="OwnerRecordSlot"/> took).</summary>
internal readonly struct MappingUse(SafeHandle handle) : IDisposable
{
    /// <summary>Ends the access: releases the reference, so that a pending Dispose of the slot may unmap the page.</summary>
    public void Dispose() => handle.DangerousRelease();
}
