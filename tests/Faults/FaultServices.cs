using System.Diagnostics;

namespace Shop.Faults;

/// <summary>
/// The suite's own RabbitMQ node, PostgreSQL cluster and fauxqs (scripts/fault-services.sh): killing and restarting
/// them disturbs nobody else's tests on the shared servers.
/// </summary>
public sealed class FaultServices(string repository)
{
    public Dictionary<string, string> Settings { get; } = [];

    public async Task Start(string transport)
    {
        var output = await Run("start", transport == "sqs" ? "sqs" : "rabbitmq");
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith("export ", StringComparison.Ordinal))
                continue;
            var (name, value) = (line[7..line.IndexOf('=')], line[(line.IndexOf('=') + 1)..].Trim('\''));
            Settings[name] = value;
        }
    }

    public string Postgres => Settings["SHOP_FAULTS_POSTGRES"];
    public string RabbitMq => Settings["SHOP_FAULTS_RABBITMQ"];
    public string RabbitMqManagement => Settings["SHOP_FAULTS_RABBITMQ_MANAGEMENT"];
    public string AwsEndpoint => Settings["SHOP_FAULTS_AWS_ENDPOINT"];

    public Task RestartBroker(string transport) => Run(transport == "sqs" ? "restart-fauxqs" : "restart-rabbitmq");

    public Task RestartPostgres() => Run("restart-postgres");

    public Task Stop() => Run("stop");

    async Task<string> Run(params string[] arguments)
    {
        var script = Path.Combine(repository, "scripts", "fault-services.sh");
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {script}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        Console.Error.Write(await stderr);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/fault-services.sh {string.Join(' ', arguments)} failed (exit {process.ExitCode})");
        return await stdout;
    }
}
