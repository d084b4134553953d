using Shop.ReadModel.Archive;
using Shop.ReadModel.Storage;

namespace Shop.Search.Worker.Extensions;

public static class ReadModelHostExtensions
{
    public const string RebuildArgument = "--rebuild";

    /// <summary>Brings the read-model store's schema up to date, unless <c>Database:MigrateOnStartup</c> is false.</summary>
    public static async Task InitializeReadModelAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        if (string.Equals(host.Services.GetRequiredService<IConfiguration>()["Database:MigrateOnStartup"], "false", StringComparison.OrdinalIgnoreCase))
            return;
        await host.Services.GetRequiredService<IReadModelStore>().InitializeAsync(cancellationToken);
    }

    /// <summary>
    /// With <c>--rebuild</c>, replays the archive into a fresh read model, swaps it in and returns true (the process then
    /// ends, without starting the bus); otherwise does nothing.
    /// </summary>
    public static async Task<bool> TryRunRebuild(this IHost host, string[] args)
    {
        if (!args.Contains(RebuildArgument, StringComparer.Ordinal))
            return false;

        var result = await host.Services.GetRequiredService<ReadModelRebuilder>().RebuildAsync();
        Console.WriteLine($"Rebuilt the read model from {result.ArchivedBatches} archived batches: {result.Events} events " +
                          $"in {result.Elapsed.TotalSeconds:F1} s ({result.Events / Math.Max(result.Elapsed.TotalSeconds, 0.001):F0} events/s), " +
                          $"{result.RejectedDocuments} documents refused.");
        return true;
    }
}
