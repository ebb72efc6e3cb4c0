namespace Tsim.Registry;

/// <summary>Which uniqueness rule refused a host registration.</summary>
public enum HostCollisionKind
{
    /// <summary>Nothing collided: the host was registered.</summary>
    None = 0,

    /// <summary>A host of the same name is registered.</summary>
    HostName = 1,

    /// <summary>A host with the same IP address (prefix length ignored, compared in canonical form) is registered.</summary>
    IpAddress = 2,

    /// <summary>A host with the same MAC address (compared in canonical form) is registered.</summary>
    MacAddress = 3,
}
