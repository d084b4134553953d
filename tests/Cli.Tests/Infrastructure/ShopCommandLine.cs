using System.Diagnostics;
using Shop.Cli.Output;

namespace Shop.Cli.Tests.Infrastructure;

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Output}stderr:{Environment.NewLine}{Error}";
}

/// <summary>Runs <c>shop</c> against a broker: in-process (its command tree, own writers) or as the built tool's process.</summary>
public sealed class ShopCommandLine(Broker? broker)
{
    public async Task<CliResult> Run(params string[] args) => await RunWithInput("", args);


    public Task<CliResult> RunWithInput(string input, params string[] args) => RunCore(input, args, withBroker: true);

    async Task<CliResult> RunCore(string input, string[] args, bool withBroker)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await ShopCli.RunAsync(withBroker && broker is not null ? [.. args, .. broker.CliOptions] : args,
            new CliConsole(output, error, new StringReader(input), interactive: false));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The built tool (<c>dotnet Shop.Cli.dll</c>) started as a process, with <paramref name="args"/> then the broker's options.</summary>
    public Process Start(params string[] args) => StartCore(args, withBroker: true);

    Process StartCore(string[] args, bool withBroker)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Shop.Cli.dll"));
        foreach (var arg in withBroker && broker is not null ? args.Concat(broker.CliOptions) : args)
            start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    public Task<CliResult> RunProcess(params string[] args) => RunProcessCore(args, withBroker: true);

    async Task<CliResult> RunProcessCore(string[] args, bool withBroker)
    {
        using var process = StartCore(args, withBroker);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }
}
