using System.Diagnostics;

namespace Shop.Testing;

/// <summary>Drives the local broker for outage tests (stop_app / start_app); needs the broker installed by scripts/services.sh.</summary>
public static class RabbitMqCtl
{
    public static async Task Run(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("rabbitmqctl", command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true
        }) ?? throw new InvalidOperationException("rabbitmqctl could not be started; outage tests need the broker installed by scripts/services.sh.");
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {command} failed ({process.ExitCode}): {output}");
    }
}
