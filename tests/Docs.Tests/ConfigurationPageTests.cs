using Shop.Docs.Tests.Infrastructure;

namespace Shop.Docs.Tests;

/// <summary>docs/configuration.md names the settings the code reads, all of those in the services' appsettings files.</summary>
[Trait("Category", "NoTransport")]
public sealed class ConfigurationPageTests
{
    const string Page = "docs/configuration.md";

    /// <summary>Read by the ASP.NET Core host itself, not by Shop code, and documented with the way of running that sets them.</summary>
    static readonly string[] HostSettings = ["Logging", "AllowedHosts", "Urls"];

    static readonly Markdown Configuration = new(Page);

    [Fact]
    public void Should_find_every_setting_it_names_read_by_the_code()
    {
        var named = Configuration.TableRows
            .SelectMany(row => SettingNames.In(row.FirstCell).Select(key => (row.Line, Key: key)))
            .ToList();

        var unread = named.Where(setting => !SettingNames.IsRead(setting.Key)).Select(s => $"{s.Key} (line {s.Line})").ToList();

        Assert.True(named.Count >= 50, $"{Page} names only {named.Count} settings in its tables' first column: was the page cut, or its table format changed?");
        Assert.True(unread.Count == 0,
            $"{Page} names settings no code reads and no appsettings.json holds: {string.Join(", ", unread)}");
    }

    [Fact]
    public void Should_name_every_setting_of_the_services_appsettings_files()
    {
        var documented = Configuration.TableRows
            .SelectMany(row => SettingNames.In(row.Row))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var missing = AppSettings.KeysWithFile
            .Where(setting => !HostSettings.Any(host => setting.Key == host || setting.Key.StartsWith(host + ":", StringComparison.Ordinal)))
            .Where(setting => !IsDocumented(setting.Key, documented))
            .Select(setting => $"{setting.Key} ({setting.Value})")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(missing.Count == 0, $"{Page} does not name these settings of appsettings files: {string.Join(", ", missing)}");
    }

    static bool IsDocumented(string key, HashSet<string> documented)
    {
        if (documented.Contains(key) || documented.Contains(key + ":N"))
            return true;
        var parts = key.Split(':');
        return Enumerable.Range(1, parts.Length - 1).Any(length => documented.Contains(string.Join(':', parts[..length]) + ":*"));
    }
}
