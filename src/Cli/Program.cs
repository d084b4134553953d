using Shop.Cli;
using Shop.Cli.Output;

return await ShopCli.RunAsync(args, CliConsole.Standard());
