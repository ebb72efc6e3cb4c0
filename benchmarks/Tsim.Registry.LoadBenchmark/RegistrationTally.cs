using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>One W2 worker's registrations and how each ended, as bench_py's <c>_w2_worker</c> counts them.</summary>
internal sealed class RegistrationTally
{
    private int _ok;
    private int _collisions;
    private int _timeouts;
    private int _errors;

    /// <summary>Registers one host and counts the outcome: registered, refused, lock timeout or another registry error.</summary>
    internal void Register(RegistryManager manager, (string Name, string Ip, string Router, string Mac) host)
    {
        try
        {
            if (manager.CheckAndRegisterHost(host.Name, host.Ip, host.Router, host.Mac))
            {
                _ok++;
            }
            else
            {
                _collisions++;
            }
        }
        catch (RegistryLockTimeoutException)
        {
            _timeouts++;
        }
        catch (RegistryException)
        {
            _errors++;
        }
    }

    /// <summary>Adds the counts under bench_py's keys.</summary>
    internal void WriteTo(JsonObject result)
    {
        result["ok"] = _ok;
        result["collisions"] = _collisions;
        result["timeouts"] = _timeouts;
        result["errors"] = _errors;
    }
}
