using System.CommandLine;
using System.Text.Json;
using Tsim.Registry.Cli.Rendering;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Cli.Commands;

/// <summary><c>register</c>, <c>unregister</c>, <c>hosts</c>, <c>host-info</c>.</summary>
internal static class HostCommands
{
    internal static IEnumerable<Command> Create(CliContext context) =>
        [Register(context), Unregister(context), Hosts(context), HostInfo(context)];

    private static Command Register(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Unique host name." };
        var ip = new Argument<string>("ip") { Description = "Primary IPv4 or IPv6 address, optionally with a prefix length." };
        var router = new Argument<string>("router") { Description = "The router the host is connected to." };
        var mac = new Argument<string>("mac") { Description = "MAC address, six hex octets separated by ':' or '-'." };
        var info = new Option<string?>("--info") { Description = "JSON object of additional fields.", HelpName = "JSON" };
        var command = new Command("register", "Register a host unless its name, IP or MAC is taken: REGISTERED, or COLLISION <reason> (exit 1).")
        {
            name, ip, router, mac, info,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var result = manager.TryRegisterHost(
                parseResult.GetRequiredValue(name),
                parseResult.GetRequiredValue(ip),
                parseResult.GetRequiredValue(router),
                parseResult.GetRequiredValue(mac),
                ParseInfo(parseResult.GetValue(info)));
            if (result.IsRegistered)
            {
                context.WriteLine("REGISTERED");
                return ExitCodes.Success;
            }

            // The reason the library decided on under the hosts lock: never re-derived from a later read.
            context.WriteLine($"COLLISION {result.Reason}");
            return ExitCodes.NegativeOutcome;
        }));
        return command;
    }

    private static Command Unregister(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The host to remove." };
        var command = new Command("unregister", "Remove a host: UNREGISTERED, or NOT_FOUND (exit 1).") { name };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var removed = manager.UnregisterHost(parseResult.GetRequiredValue(name));
            context.WriteLine(removed ? "UNREGISTERED" : "NOT_FOUND");
            return removed ? ExitCodes.Success : ExitCodes.NegativeOutcome;
        }));
        return command;
    }

    private static Command Hosts(CliContext context)
    {
        var command = new Command("hosts", "Print every host as JSON, in the shape of the hosts file (hosts.json, tsim's host_registry.json).");
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            context.WriteLine(RegistryJson.Hosts(manager.ListAllHosts()));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command HostInfo(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The host to look up." };
        var command = new Command("host-info", "Print one host's entry as JSON, or null (exit 0 either way, as in Python).") { name };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            context.WriteLine(RegistryJson.Host(manager.GetHostInfo(parseResult.GetRequiredValue(name))));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Reads <c>--info</c>: a JSON object whose members become the host's additional fields.</summary>
    private static Dictionary<string, object?>? ParseInfo(string? info)
    {
        if (info is null)
        {
            return null;
        }

        JsonElement root;
        try
        {
            // Parsed as deep as a registry file may be, so that too deep an object meets the library's own rule (and
            // message, naming the limit) instead of the parser's default of 64 levels.
            using var document = JsonDocument.Parse(info, new JsonDocumentOptions { MaxDepth = RegistryJsonDepth.Read });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"--info must be a JSON object: {ex.Message}", nameof(info), ex);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"--info must be a JSON object (got a JSON {root.ValueKind.ToString().ToLowerInvariant()}).", nameof(info));
        }

        return root.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value, StringComparer.Ordinal);
    }
}
