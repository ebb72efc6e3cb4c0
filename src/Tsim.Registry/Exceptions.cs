
namespace Tsim.Registry;

/// <summary>The base of every error the registry raises for a registry condition (as opposed to a bad argument).</summary>
public class RegistryException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public RegistryException()
        : base("A registry operation failed.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What failed, naming the file, lock or entry involved.</param>
    public RegistryException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What failed, naming the file, lock or entry involved.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public RegistryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A lock could not be acquired within its timeout.</summary>
public sealed class RegistryLockTimeoutException : RegistryException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public RegistryLockTimeoutException()
        : base("A registry lock could not be acquired in time.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">Which lock timed out and after how long.</param>
    public RegistryLockTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">Which lock timed out and after how long.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public RegistryLockTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the names of the locks that were requested, when known.</summary>
    public IReadOnlyList<string> LockNames { get; init; } = [];

    /// <summary>Gets the timeout that elapsed.</summary>
    public TimeSpan Timeout { get; init; }
}

/// <summary>A host name, IP address or MAC address is already registered (thrown by <see cref="RegistryManager.RegisterHost"/>).</summary>
public sealed class RegistryCollisionException : RegistryException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public RegistryCollisionException()
        : base("The host collides with a registered host.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What collided, and with which host.</param>
    public RegistryCollisionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What collided, and with which host.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public RegistryCollisionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the rule that refused the registration.</summary>
    public HostCollisionKind Collision { get; init; }

    /// <summary>Gets the registered host the new one collides with, when known.</summary>
    public string? CollidingHostName { get; init; }
}

/// <summary>
/// A registry file cannot be used: it is not JSON, or it is JSON that is not a registry file of its kind (another
/// shape, a <c>null</c> entry, nesting deeper than the library reads). The file is left untouched: no operation
/// overwrites it. <see cref="RegistryManager.QuarantineCorruptFiles"/> moves a file that is not JSON aside; a file
/// that is JSON stays where it is, since other readers may still use it, and an operator corrects it.
/// </summary>
public sealed class RegistryCorruptionException : RegistryException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public RegistryCorruptionException()
        : base("A registry file is corrupt.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">Which file is corrupt and where.</param>
    public RegistryCorruptionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">Which file is corrupt and where.</param>
    /// <param name="innerException">The parser error.</param>
    public RegistryCorruptionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the full path of the corrupt file.</summary>
    public string? FilePath { get; init; }

    /// <summary>Gets the zero-based line of the first error, when the parser reported one.</summary>
    public long? LineNumber { get; init; }

    /// <summary>Gets the zero-based byte offset within <see cref="LineNumber"/> of the first error, when reported.</summary>
    public long? BytePositionInLine { get; init; }

    /// <summary>
    /// Gets a value indicating whether the file is JSON all the same (only its shape or depth is wrong), which repair
    /// never moves aside.
    /// </summary>
    internal bool ParsesAsJson { get; init; }
}

/// <summary>A host, host lease or neighbour lease that an operation needs does not exist.</summary>
public sealed class RegistryNotFoundException : RegistryException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public RegistryNotFoundException()
        : base("The registry entry was not found.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">Which entry is missing.</param>
    public RegistryNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">Which entry is missing.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public RegistryNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
