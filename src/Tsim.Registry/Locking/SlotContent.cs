namespace Tsim.Registry.Locking;

/// <summary>A consistent copy of an owner record slot.</summary>
/// <param name="Sequence">Changes on every write: two equal sequences mean nothing was written in between.</param>
/// <param name="Record">The record's JSON; empty when there is no record.</param>
/// <param name="Usable">False when the slot could not be read consistently (a writer died mid-write) or is garbled.</param>
internal readonly record struct SlotContent(long Sequence, byte[] Record, bool Usable);
