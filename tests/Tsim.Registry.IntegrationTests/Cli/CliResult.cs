// A finished tsim-registry run (exit status, stdout lines, stderr) is the ProcessRun every child process completes with.
global using CliResult = Tsim.Registry.IntegrationTests.Infrastructure.ProcessRun;
