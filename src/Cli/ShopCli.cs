using System.CommandLine;
using Shop.Cli.Configuration;
using Shop.Cli.Errors;
using Shop.Cli.Orders;
using Shop.Cli.Outbox;
using Shop.Cli.Messages;
using Shop.Cli.Output;
using Shop.Cli.Publishing;
using Shop.Cli.Tokens;

namespace Shop.Cli;

/// <summary>The <c>shop</c> command: its verbs, and one place that turns failures into messages and exit codes.</summary>
public static class ShopCli
{
    public static RootCommand Create(CliConsole console)
    {
        var root = new RootCommand("Shop's operator tool: publish and send contract messages, inspect and replay error queues, watch outboxes and orders, mint development tokens.");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(MessagesCommand.Create(console));
        root.Subcommands.Add(PublishCommands.Publish(console));
        root.Subcommands.Add(PublishCommands.Send(console));
        root.Subcommands.Add(ErrorsCommand.Create(console));
        root.Subcommands.Add(OutboxCommand.Create(console));
        root.Subcommands.Add(OrdersCommand.Create(console));
        root.Subcommands.Add(TokenCommand.Create(console));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var parse = Create(console).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                console.WriteError(error.Message);
            console.Error.WriteLine("Run 'shop --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = console.Output,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            }, cancellationToken);
        }
        catch (CliException exception)
        {
            console.WriteError(exception.Message);
            return exception.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.WriteError("cancelled.");
            return ExitCodes.Failure;
        }
        catch (Exception exception)
        {
            // A broker or database failing under us: the reason on one line, the detail for a bug report after it.
            console.WriteError(exception.GetBaseException().Message);
            console.Error.WriteLine(exception);
            return ExitCodes.Failure;
        }
    }
}
