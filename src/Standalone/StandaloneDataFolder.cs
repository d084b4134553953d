using Microsoft.Extensions.Configuration.Memory;

namespace Shop.Standalone;

/// <summary>
/// Everything the standalone shop keeps lives in one folder (<c>Standalone:DataPath</c>): a SQLite database per service
/// and the blobs. Stopping and starting on the same folder carries on where it stopped; deleting it starts afresh.
/// </summary>
public static class StandaloneDataFolder
{
    public const string DataPathKey = "Standalone:DataPath";
    public const string DefaultDataPath = "data/standalone";

    /// <summary>
    /// Resolves the folder (relative paths against the current directory, where the command was typed), creates it and
    /// points each service's connection string and the blob storage into it. They are defaults: a setting given
    /// explicitly still wins.
    /// </summary>
    public static string UseStandaloneDataFolder(this WebApplicationBuilder builder)
    {
        var folder = Path.GetFullPath(builder.Configuration[DataPathKey] ?? DefaultDataPath, Environment.CurrentDirectory);
        Directory.CreateDirectory(folder);

        var defaults = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = SqliteConnectionString(folder, "orders"),
            ["ConnectionStrings:Payments"] = SqliteConnectionString(folder, "payments"),
            ["ConnectionStrings:Notifications"] = SqliteConnectionString(folder, "notifications"),
            ["ConnectionStrings:Images"] = SqliteConnectionString(folder, "images"),
            ["ConnectionStrings:ReadModel"] = SqliteConnectionString(folder, "readmodel"),
            ["BlobStorage:Disk:Root"] = Path.Combine(folder, "blobs"),
        };
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
        return folder;
    }

    // One file per service: each service's store has tables of the same names (inbox_state, outbox_message, ...).
    static string SqliteConnectionString(string folder, string service) => $"Data Source={Path.Combine(folder, service + ".db")}";
}
