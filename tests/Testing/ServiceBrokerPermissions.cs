using System.Diagnostics;

namespace Shop.Testing;

/// <summary>
/// A service's RabbitMQ permissions as <c>deploy/rabbitmq/service-users.sh print</c> gives them: the very patterns that
/// scripts/services.sh and docker-compose set up, so a test of them tests what is deployed.
/// </summary>
public sealed record ServiceBrokerPermissions(string Service, string Configure, string Write, string Read)
{
    public static async Task<ServiceBrokerPermissions> Of(string service)
    {
        var script = Path.Combine(RepositoryRoot(), "deploy", "rabbitmq", "service-users.sh");
        using var process = Process.Start(new ProcessStartInfo("sh", [script, "print"]) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"could not run {script}");
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} print failed ({process.ExitCode}): {error}");

        var fields = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t'))
            .SingleOrDefault(f => f[0] == service) ?? throw new InvalidOperationException($"{script} has no service '{service}'");
        return new ServiceBrokerPermissions(fields[0], fields[1], fields[2], fields[3]);
    }

    static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Shop.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException($"No Shop.sln above {AppContext.BaseDirectory}");
    }
}
