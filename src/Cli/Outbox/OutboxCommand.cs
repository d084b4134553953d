using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Shop.Cli.Configuration;
using Shop.Cli.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Shop.Cli.Outbox;

/// <summary>
/// <c>shop outbox status [--watch]</c>: per service database (the <c>ConnectionStrings</c> the services use, or
/// <c>--database Name=connection-string</c>), whether its outbox drains.
/// </summary>
public static class OutboxCommand
{
    public static Command Create(CliConsole console)
    {
        var databases = new Option<string[]>("--database")
        {
            Description = "Name=connection string of a service database (repeatable); default: every ConnectionStrings entry",
            AllowMultipleArgumentsPerToken = true,
        };
        var service = new Option<string[]>("--service") { Description = "only these services (ConnectionStrings names)", AllowMultipleArgumentsPerToken = true };
        var watch = new Option<bool>("--watch", "-w") { Description = "refresh until interrupted" };
        var interval = new Option<TimeSpan>("--interval") { Description = "refresh interval of --watch", DefaultValueFactory = _ => TimeSpan.FromSeconds(2) };
        var status = new Command("status", "pending units, oldest pending age, units backing off with their last error, inbox size")
            { databases, service, watch, interval };
        status.SetAction(async (parse, cancellationToken) =>
        {
            var targets = Targets(BusConnection.From(parse).Configuration, parse.GetValue(databases) ?? [], parse.GetValue(service) ?? []);
            var json = parse.GetValue(GlobalOptions.Output) == OutputFormat.Json;
            async Task<IReadOnlyList<OutboxStatus>> Read() =>
                await Task.WhenAll(targets.Select(t => OutboxStatus.ReadAsync(t.Key, t.Value, 5, cancellationToken)));

            if (!parse.GetValue(watch))
            {
                var once = await Read();
                if (json) console.WriteJson(once);
                else console.Ansi.Write(Render(once));
                return once.Any(s => s.Error is not null) ? ExitCodes.Failure : ExitCodes.Ok;
            }

            try
            {
                if (json || !console.Interactive)
                {
                    // One snapshot after another: JSON per refresh for scripts, a table per refresh in a log.
                    while (true)
                    {
                        var snapshot = await Read();
                        if (json) console.WriteJson(snapshot);
                        else console.Ansi.Write(Render(snapshot));
                        await Task.Delay(parse.GetValue(interval), cancellationToken);
                    }
                }

                await console.Ansi.Live(new Text("reading…")).StartAsync(async live =>
                {
                    while (true)
                    {
                        live.UpdateTarget(Render(await Read()));
                        await Task.Delay(parse.GetValue(interval), cancellationToken);
                    }
                });
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }

            return ExitCodes.Ok;
        });

        return new Command("outbox", "the services' transactional outboxes and inboxes") { status };
    }

    static Dictionary<string, string> Targets(IConfiguration configuration, string[] databases, string[] services)
    {
        var targets = configuration.GetSection("ConnectionStrings").GetChildren()
            .Where(c => !string.IsNullOrWhiteSpace(c.Value))
            .ToDictionary(c => c.Key, c => c.Value!, StringComparer.OrdinalIgnoreCase);
        foreach (var database in databases)
        {
            var split = database.IndexOf('=', StringComparison.Ordinal);
            if (split <= 0)
                throw new CliException(ExitCodes.Usage, $"--database '{database}': use Name=connection-string, e.g. Orders='Host=…;Database=shop_orders'.");
            targets[database[..split]] = database[(split + 1)..];
        }

        if (services.Length > 0)
        {
            var unknown = services.Where(s => !targets.ContainsKey(s)).ToList();
            if (unknown.Count > 0)
                throw new CliException(ExitCodes.NotFound, $"no connection string for {string.Join(", ", unknown)} (ConnectionStrings__Name or --database Name=…).");
            targets = targets.Where(t => services.Contains(t.Key, StringComparer.OrdinalIgnoreCase)).ToDictionary(t => t.Key, t => t.Value);
        }

        return targets.Count > 0
            ? targets
            : throw new CliException(ExitCodes.Usage, "no service database: set ConnectionStrings__Orders (etc.) or pass --database Orders='Host=…'.");
    }

    static IRenderable Render(IReadOnlyList<OutboxStatus> statuses)
    {
        var table = new Table().AddColumns("service", "pending units", "pending messages", "oldest pending", "in backoff", "scheduled", "inbox", "inbox unconsumed");
        var failures = new Table().AddColumns("service", "unit", "attempts", "next attempt", "messages", "last error");
        foreach (var s in statuses)
        {
            if (s.Error is not null)
            {
                table.AddRow(Markup.Escape(s.Service), $"[red]{Markup.Escape(s.Error)}[/]", "", "", "", "", "", "");
                continue;
            }

            table.AddRow(Markup.Escape(s.Service), N(s.PendingUnits), N(s.PendingMessages), s.OldestPendingAge is { } age ? Age(age) : "-",
                s.BackoffUnits > 0 ? $"[yellow]{N(s.BackoffUnits)}[/]" : "0", N(s.ScheduledUnits), N(s.InboxSize), N(s.InboxUnconsumed));
            foreach (var unit in s.Backoff)
                failures.AddRow(Markup.Escape(s.Service), unit.OutboxId.ToString(), N(unit.Attempts),
                    unit.NextAttempt.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture), N(unit.Messages), Markup.Escape(unit.LastError ?? ""));
        }

        return failures.Rows.Count > 0 ? new Rows(table, failures) : table;
    }

    static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    static string Age(TimeSpan age) => age.TotalSeconds < 90 ? $"{age.TotalSeconds:0}s" : age.TotalMinutes < 90 ? $"{age.TotalMinutes:0}m" : $"{age.TotalHours:0.0}h";
}
