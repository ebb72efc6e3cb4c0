
namespace Tsim.Registry;

/// <summary>A corrupt registry file that <see cref="RegistryManager.QuarantineCorruptFiles"/> moved aside.</summary>
/// <param name="FilePath">Where the file was: <c>hosts.json</c>, <c>host_leases.json</c> or <c>neighbor_leases.json</c> in the registry directory.</param>
/// <param name="QuarantinePath">Where it is now: <c>FILE.corrupt-yyyyMMddTHHmmssZ</c> (UTC) beside it, unchanged.</param>
/// <param name="Reason">Why it was judged corrupt (the <see cref="RegistryCorruptionException"/> message: position and parser error).</param>
public sealed record QuarantinedFile(string FilePath, string QuarantinePath, string Reason);
