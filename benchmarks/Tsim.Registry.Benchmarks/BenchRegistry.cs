using System.Globalization;
using System.Text.Json;
using Tsim.Registry.Testing;

namespace Tsim.Registry.Benchmarks;

/// <summary>
/// A private registry for one benchmark class (a <see cref="TemporaryRegistry"/>), pre-filled without going through
/// O(n²) registrations.
/// </summary>
internal sealed class BenchRegistry : IDisposable
{
    private readonly TemporaryRegistry _registry = new();

    internal BenchRegistry(int hosts)
    {
        System.IO.Directory.CreateDirectory(Directory);
        WriteHosts(Path.Combine(Directory, "hosts.json"), hosts);
        Manager = _registry.Manager;
    }

    internal string Directory => _registry.RegistryDirectory;

    internal RegistryManager Manager { get; }

    /// <summary>bench_py's <c>host(i)</c>.</summary>
    internal static (string Name, string Ip, string Router, string Mac) Host(int i) => (
        string.Create(CultureInfo.InvariantCulture, $"host-{i:D4}"),
        string.Create(CultureInfo.InvariantCulture, $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/24"),
        string.Create(CultureInfo.InvariantCulture, $"router-{i % 10}"),
        string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:{(i >> 8) & 255:x2}:{i & 255:x2}"));

    /// <summary>Writes hosts.json in the format the Python reference writes (what a registration would have produced).</summary>
    private static void WriteHosts(string path, int count)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        var now = DateTimeOffset.Now;
        for (var i = 0; i < count; i++)
        {
            var (name, ip, router, mac) = Host(i);
            writer.WriteStartObject(name);
            writer.WriteString("primary_ip", ip[..ip.IndexOf('/', StringComparison.Ordinal)]);
            writer.WriteString("connected_to", router);
            writer.WriteString("mac_address", mac);
            writer.WriteString("created_at", now.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture));
            writer.WriteNumber("registered_at_timestamp", now.ToUnixTimeMilliseconds() / 1000.0);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    public void Dispose() => _registry.Dispose();
}
