
namespace Tsim.Registry;

/// <summary>The outcome of releasing one lease.</summary>
/// <param name="RefCount">The leases left on the host or neighbour entry.</param>
/// <param name="ShouldDelete"><see langword="true"/> when this was the last lease: the caller should tear the host or neighbour entry down.</param>
public readonly record struct LeaseRelease(int RefCount, bool ShouldDelete);
