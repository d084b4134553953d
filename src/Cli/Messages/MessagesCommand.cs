using System.CommandLine;
using Shop.Cli.Configuration;
using Shop.Cli.Output;
using Spectre.Console;

namespace Shop.Cli.Messages;

/// <summary><c>shop messages list [--schema]</c>: every contract message, event or command, where it goes, its schema.</summary>
public static class MessagesCommand
{
    public static Command Create(CliConsole console)
    {
        var schema = new Option<bool>("--schema") { Description = "print each message's JSON schema (always in --output json)" };
        var type = new Argument<string?>("type") { Description = "only this message type", Arity = ArgumentArity.ZeroOrOne };
        var list = new Command("list", "every contract message type: event or command, producer, destination, JSON schema") { type, schema };
        list.SetAction(parse =>
        {
            var name = parse.GetValue(type);
            var messages = name is null ? MessageCatalog.All : [MessageCatalog.Find(name) ?? throw UnknownType(name)];
            var topology = new MessageTopology(BusConnection.From(parse));
            if (parse.GetValue(GlobalOptions.Output) == OutputFormat.Json)
            {
                console.WriteJson(messages.Select(m => new
                {
                    name = m.Name,
                    fullName = m.FullName,
                    messageType = $"urn:message:{m.Type.Namespace}:{m.Name}",
                    kind = m.Kind,
                    producer = m.Producer,
                    destination = topology.Destination(m),
                    @internal = m.Internal,
                    schema = MessageJson.Schema(m),
                }));
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("type", "kind", "producer", "destination", "outside producers");
            foreach (var m in messages)
                table.AddRow(Markup.Escape(m.Name), m.Kind.ToString().ToLowerInvariant(), Markup.Escape(m.Producer),
                    Markup.Escape(topology.Destination(m)), m.Internal ? "internal" : "may publish");
            console.Ansi.Write(table);

            if (parse.GetValue(schema) || name is not null)
                foreach (var m in messages)
                    console.WriteLine($"{m.Name}:{Environment.NewLine}{MessageJson.Schema(m).ToJsonString(new() { WriteIndented = true })}");
            return ExitCodes.Ok;
        });

        return new Command("messages", "the contract's message types") { list };
    }

    public static CliException UnknownType(string name) =>
        new(ExitCodes.Usage, $"'{name}' is not a message type of the contract; `shop messages list` shows them.");
}
