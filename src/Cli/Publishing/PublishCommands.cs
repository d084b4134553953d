using System.CommandLine;
using System.Diagnostics;
using MassTransit;
using Shop.Cli.Configuration;
using Shop.Cli.Messages;
using Shop.Cli.Output;

namespace Shop.Cli.Publishing;

/// <summary>
/// <c>shop publish &lt;type&gt;</c> and <c>shop send &lt;type&gt; --to &lt;endpoint&gt;</c>: a contract message from JSON,
/// checked against the contract before the bus is even reached, then published or sent <c>--count</c> times at
/// <c>--rate</c> per second. Each message id is printed.
/// </summary>
public static class PublishCommands
{
    static readonly Argument<string> Type = new("type") { Description = "the message type: ProcessPayment, Shop.Contracts.Payments.ProcessPayment or its urn:message:" };
    static readonly Argument<string?> Stdin = new("input") { Description = "'-' to read the JSON from standard input", Arity = ArgumentArity.ZeroOrOne };
    static readonly Option<string?> Json = new("--json") { Description = "the message as JSON (camelCase fields)" };
    static readonly Option<FileInfo?> File = new("--file", "-f") { Description = "a file holding the message as JSON ('-' for standard input)" };
    static readonly Option<int> Count = new("--count", "-n") { Description = "how many copies to put on the bus, each with its own message id", DefaultValueFactory = _ => 1 };
    static readonly Option<double?> Rate = new("--rate") { Description = "messages per second (default: as fast as the broker takes them)" };
    static readonly Option<Guid?> CorrelationId = new("--correlation-id") { Description = "the correlation id of every message" };

    public static Command Publish(CliConsole console)
    {
        var command = new Command("publish", "publish an event (or any contract message) to its subscribers") { Type, Stdin, Json, File, Count, Rate, CorrelationId };
        command.SetAction((parse, cancellationToken) => Run(console, parse, to: null, cancellationToken));
        return command;
    }

    public static Command Send(CliConsole console)
    {
        var to = new Option<string?>("--to") { Description = "the receive endpoint (queue name or queue:name); default: the command's usual endpoint" };
        var command = new Command("send", "send a command to one receive endpoint") { Type, Stdin, Json, File, Count, Rate, CorrelationId, to };
        command.SetAction((parse, cancellationToken) =>
        {
            var message = Find(parse);
            var endpoint = parse.GetValue(to) ?? message.Endpoint
                ?? throw new CliException(ExitCodes.Usage, $"{message.Name} is an event, it has no usual endpoint: say where with --to.");
            return Run(console, parse, endpoint.StartsWith("queue:", StringComparison.Ordinal) ? endpoint : "queue:" + endpoint, cancellationToken);
        });
        return command;
    }

    static async Task<int> Run(CliConsole console, ParseResult parse, string? to, CancellationToken cancellationToken)
    {
        var descriptor = Find(parse);
        var count = parse.GetValue(Count);
        var rate = parse.GetValue(Rate);
        if (count < 1)
            throw new CliException(ExitCodes.Usage, "--count must be at least 1.");
        if (rate is <= 0)
            throw new CliException(ExitCodes.Usage, "--rate must be above 0.");

        object message;
        try
        {
            message = MessageJson.Parse(descriptor, await ReadJson(console, parse, cancellationToken));
        }
        catch (MessageValidationException exception)
        {
            throw new CliException(ExitCodes.Usage, $"{exception.Message}; nothing was sent.", exception);
        }

        var connection = BusConnection.From(parse).RequireBroker();
        var correlationId = parse.GetValue(CorrelationId);
        var json = parse.GetValue(GlobalOptions.Output) == OutputFormat.Json;
        var sent = new List<object>();
        await using (var session = await BusSession.StartAsync(connection, console.Error, cancellationToken))
        {
            var endpoint = to is null ? null : await session.Bus.GetSendEndpoint(new Uri(to));
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                if (rate is { } perSecond && TimeSpan.FromSeconds(i / perSecond) - clock.Elapsed is { Ticks: > 0 } wait)
                    await Task.Delay(wait, cancellationToken);

                var messageId = NewId.NextGuid();
                void Stamp(SendContext context)
                {
                    context.MessageId = messageId;
                    if (correlationId is { } id)
                        context.CorrelationId = id;
                }

                if (endpoint is null)
                    await session.Bus.Publish(message, descriptor.Type, Stamp, cancellationToken);
                else
                    await endpoint.Send(message, descriptor.Type, Stamp, cancellationToken);

                if (json)
                    sent.Add(new { messageId, messageType = descriptor.FullName, destination = to ?? "publish", correlationId });
                else
                    console.WriteLine(messageId.ToString("D"));
            }
        }

        if (json)
            console.WriteJson(sent);
        return ExitCodes.Ok;
    }

    static MessageDescriptor Find(ParseResult parse)
    {
        var name = parse.GetValue(Type)!;
        return MessageCatalog.Find(name) ?? throw MessagesCommand.UnknownType(name);
    }

    static async Task<string> ReadJson(CliConsole console, ParseResult parse, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(Json);
        var file = parse.GetValue(File);
        var stdin = parse.GetValue(Stdin) switch
        {
            null => false,
            "-" => true,
            var other => throw new CliException(ExitCodes.Usage, $"unexpected '{other}': give the JSON with --json, --file or '-' for standard input."),
        };
        if (file?.Name == "-")
        {
            file = null;
            stdin = true;
        }

        if ((json is not null ? 1 : 0) + (file is not null ? 1 : 0) + (stdin ? 1 : 0) != 1)
            throw new CliException(ExitCodes.Usage, "give the message once: --json '{…}', --file message.json or '-' for standard input.");

        if (json is not null)
            return json;
        if (stdin)
            return await console.Input.ReadToEndAsync(cancellationToken);
        if (!file!.Exists)
            throw new CliException(ExitCodes.Usage, $"--file: '{file.FullName}' does not exist.");
        return await System.IO.File.ReadAllTextAsync(file.FullName, cancellationToken);
    }
}
