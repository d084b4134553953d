using System.CommandLine;
using System.Text.Json;
using Shop.Cli.Configuration;
using Shop.Cli.Output;
using Spectre.Console;

namespace Shop.Cli.Errors;

/// <summary>
/// <c>shop errors list|show|replay|purge</c>: what landed in the endpoints' <c>_error</c> queues, looked at without
/// taking it, moved back to the endpoint without losing any, or deleted after a confirmation.
/// </summary>
public static class ErrorsCommand
{
    public static Command Create(CliConsole console)
    {
        return new Command("errors", "the endpoints' error queues") { List(console), Show(console), Replay(console), Purge(console), Hold };
    }

    static Command List(CliConsole console)
    {
        var endpoint = new Argument<string?>("endpoint") { Description = "one endpoint (its queue name without _error); default: every one", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit") { Description = "messages shown per queue", DefaultValueFactory = _ => 20 };
        var command = new Command("list", "error queues with their depth and, per message, type, fault, failure times, redeliveries") { endpoint, limit };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var queues = await ConnectAsync(parse, cancellationToken);
            var found = await queues.ListAsync(parse.GetValue(endpoint), cancellationToken);
            if (parse.GetValue(endpoint) is { } one && found.Count == 0)
                throw new CliException(ExitCodes.NotFound, $"the endpoint '{one}' has no error queue.");

            var listed = new List<(ErrorQueue Queue, IReadOnlyList<ErroredMessage> Messages)>();
            foreach (var queue in found)
                listed.Add((queue, queue.Depth == 0 ? [] : await queues.PeekAsync(queue.Endpoint, parse.GetValue(limit), cancellationToken)));

            if (parse.GetValue(GlobalOptions.Output) == OutputFormat.Json)
            {
                console.WriteJson(listed.Select(q => new { q.Queue.Endpoint, q.Queue.Queue, q.Queue.Depth, messages = q.Messages.Select(Summary) }));
                return ExitCodes.Ok;
            }

            var summary = new Table().AddColumns("endpoint", "error queue", "depth");
            foreach (var (queue, _) in listed)
                summary.AddRow(Markup.Escape(queue.Endpoint), Markup.Escape(queue.Queue), queue.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture));
            console.Ansi.Write(summary);

            var messages = listed.SelectMany(q => q.Messages).ToList();
            if (messages.Count > 0)
            {
                var table = new Table().AddColumns("endpoint", "message id", "type", "exception", "first failure", "last failure", "redeliveries", "replays");
                foreach (var m in messages)
                    table.AddRow(Markup.Escape(m.Endpoint), Markup.Escape(m.MessageId ?? "?"), Markup.Escape(ShortType(m.MessageType)),
                        Markup.Escape($"{m.ExceptionType ?? m.Reason}: {m.ExceptionMessage}"), Time(m.FirstFaultedAt), Time(m.LastFaultedAt),
                        m.RedeliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ReplayCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
                console.Ansi.Write(table);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Show(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "the message id (as `errors list` shows it)" };
        var endpoint = new Option<string?>("--endpoint") { Description = "look only in this endpoint's error queue" };
        var limit = new Option<int>("--limit") { Description = "messages looked at per queue", DefaultValueFactory = _ => 1000 };
        var command = new Command("show", "one errored message: its fault, headers and body") { id, endpoint, limit };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var messageId = parse.GetValue(id)!;
            await using var queues = await ConnectAsync(parse, cancellationToken);
            ErroredMessage? message = null;
            foreach (var queue in await queues.ListAsync(parse.GetValue(endpoint), cancellationToken))
            {
                message = (await queues.PeekAsync(queue.Endpoint, parse.GetValue(limit), cancellationToken)).FirstOrDefault(m => m.Matches(messageId));
                if (message is not null)
                    break;
            }

            if (message is null)
                throw new CliException(ExitCodes.NotFound, $"no message '{messageId}' in the error queues looked at.");

            if (parse.GetValue(GlobalOptions.Output) == OutputFormat.Json)
            {
                console.WriteJson(new { summary = Summary(message), message.Headers, body = BodyJson(message.Body) });
                return ExitCodes.Ok;
            }

            var grid = new Grid().AddColumns(2);
            void Row(string name, string? value) => grid.AddRow(new Text(name), new Text(value ?? ""));
            Row("endpoint", message.Endpoint);
            Row("message id", message.MessageId);
            Row("type", message.MessageType);
            Row("reason", message.Reason);
            Row("exception", message.ExceptionType);
            Row("message", message.ExceptionMessage);
            Row("first failure", Time(message.FirstFaultedAt));
            Row("last failure", Time(message.LastFaultedAt));
            Row("redeliveries", message.RedeliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("replays", message.ReplayCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            console.Ansi.Write(grid);

            var headers = new Table().AddColumns("header", "value");
            foreach (var (name, value) in message.Headers.OrderBy(h => h.Key, StringComparer.Ordinal))
                headers.AddRow(Markup.Escape(name), Markup.Escape(value));
            console.Ansi.Write(headers);
            console.WriteLine(BodyJson(message.Body) is { } json ? JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }) : message.Body);
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Replay(CliConsole console)
    {
        var endpoint = new Argument<string>("endpoint") { Description = "the endpoint whose error queue is replayed into its queue" };
        var ids = new Option<string[]>("--id") { Description = "a message id to replay (repeatable)", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "replay every message in the error queue" };
        var dryRun = new Option<bool>("--dry-run") { Description = "show what would be replayed, move nothing" };
        var command = new Command("replay", "move errored messages back to their endpoint's queue, fault headers cleared, replay count raised")
            { endpoint, ids, all, dryRun };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var wanted = (parse.GetValue(ids) ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var everything = parse.GetValue(all);
            if (everything == wanted.Count > 0)
                throw new CliException(ExitCodes.Usage, "say what to replay: --id <message id> (repeatable) or --all.");

            var dry = parse.GetValue(dryRun);
            var json = parse.GetValue(GlobalOptions.Output) == OutputFormat.Json;
            var replayed = new List<string?>();
            await using var queues = await ConnectAsync(parse, cancellationToken);
            var outcome = await queues.ReplayAsync(parse.GetValue(endpoint)!,
                message => everything || (message.MessageId is { } id && wanted.Contains(id)),
                dry,
                message =>
                {
                    replayed.Add(message.MessageId);
                    if (!json)
                        console.WriteLine($"{(dry ? "would replay" : "replayed")} {message.MessageId}");
                },
                cancellationToken);

            var missing = wanted.Except(replayed.OfType<string>(), StringComparer.OrdinalIgnoreCase).ToList();
            if (json)
                console.WriteJson(new { dryRun = dry, replayed, outcome.Left, missing });
            else
                console.Error.WriteLine($"{(dry ? "would replay" : "replayed")} {outcome.Replayed}; {outcome.Left} left in the error queue");
            if (missing.Count > 0)
            {
                console.WriteError($"not in the error queue: {string.Join(", ", missing)}");
                return ExitCodes.NotFound;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Purge(CliConsole console)
    {
        var endpoint = new Argument<string?>("endpoint") { Description = "the endpoint whose error queue is emptied; default: every error queue", Arity = ArgumentArity.ZeroOrOne };
        var yes = new Option<bool>("--yes", "-y") { Description = "do not ask for confirmation" };
        var command = new Command("purge", "delete every message of error queues, after a confirmation") { endpoint, yes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var queues = await ConnectAsync(parse, cancellationToken);
            var found = await queues.ListAsync(parse.GetValue(endpoint), cancellationToken);
            if (parse.GetValue(endpoint) is { } one && found.Count == 0)
                throw new CliException(ExitCodes.NotFound, $"the endpoint '{one}' has no error queue.");

            var question = $"Delete {found.Sum(q => q.Depth)} message(s) from {string.Join(", ", found.Select(q => $"{q.Queue} ({q.Depth})"))}?";
            if (!parse.GetValue(yes))
            {
                if (!console.Interactive)
                    throw new CliException(ExitCodes.Declined, $"{question} Not confirmed: run with --yes to purge without a prompt.");
                if (!console.Ansi.Confirm(question, defaultValue: false))
                    throw new CliException(ExitCodes.Declined, "nothing purged.");
            }

            var purged = new List<object>();
            foreach (var queue in found)
            {
                var count = await queues.PurgeAsync(queue.Endpoint, cancellationToken);
                purged.Add(new { queue.Endpoint, queue.Queue, purged = count });
                if (parse.GetValue(GlobalOptions.Output) != OutputFormat.Json)
                    console.WriteLine($"purged {count} from {queue.Queue}");
            }

            if (parse.GetValue(GlobalOptions.Output) == OutputFormat.Json)
                console.WriteJson(purged);
            return ExitCodes.Ok;
        });
        return command;
    }

    static readonly Option<TimeSpan> Hold = new("--hold")
    {
        Description = "SQS only: how long messages taken from an error queue stay invisible to others; a killed run's come back after it",
        DefaultValueFactory = _ => AmazonSqsErrorQueues.DefaultHold,
        Recursive = true,
    };

    static async Task<IErrorQueues> ConnectAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var bus = BusConnection.From(parse).RequireBroker();
        var hold = parse.GetValue(Hold);
        if (hold < TimeSpan.FromSeconds(1) || hold > TimeSpan.FromHours(12))
            throw new CliException(ExitCodes.Usage, "--hold must be between 1 second and 12 hours (SQS's visibility timeout range).");
        return bus.IsAmazonSqs ? AmazonSqsErrorQueues.Connect(bus, hold) : await RabbitMqErrorQueues.ConnectAsync(bus, cancellationToken);
    }

    static object Summary(ErroredMessage m) => new
    {
        m.Endpoint, m.MessageId, m.MessageType, m.Reason, m.ExceptionType, m.ExceptionMessage,
        m.FirstFaultedAt, m.LastFaultedAt, m.RedeliveryCount, m.ReplayCount,
    };

    static JsonElement? BodyJson(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string ShortType(string? urn) => urn is null ? "?" : urn[(urn.LastIndexOf(':') + 1)..];

    static string Time(DateTimeOffset? time) => time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
