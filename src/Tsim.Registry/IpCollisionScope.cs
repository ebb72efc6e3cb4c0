namespace Tsim.Registry;

/// <summary>Which registered hosts a new host's IP address must differ from.</summary>
public enum IpCollisionScope
{
    /// <summary>Every registered host, as the specification has it. The default. Configuration value <c>global</c>.</summary>
    Global = 0,

    /// <summary>
    /// Hosts on the same router (<c>connected_to</c>) only, as a tsim deployment has it: each router's LAN is its own
    /// network namespace, so hosts behind two routers may share an address. Host names and MAC addresses stay unique
    /// across the whole registry. Configuration value <c>router</c>.
    /// </summary>
    Router = 1,
}
