using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Shop.Cli.Output;

/// <summary>
/// Where a command writes: tables and progress through Spectre.Console, JSON and plain lines (what scripts read) as
/// they are, errors apart. Tests run commands in-process against their own writers.
/// </summary>
public sealed class CliConsole(TextWriter output, TextWriter error, TextReader input, bool interactive)
{
    static readonly JsonSerializerOptions JsonOutput = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static CliConsole Standard() =>
        new(Console.Out, Console.Error, Console.In, !Console.IsInputRedirected && !Console.IsOutputRedirected);

    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;
    public TextReader Input { get; } = input;

    /// <summary>Whether a person is there to answer a prompt.</summary>
    public bool Interactive { get; } = interactive;

    public IAnsiConsole Ansi { get; } = CreateAnsi(output, interactive);

    static IAnsiConsole CreateAnsi(TextWriter output, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });

        // Redirected output has no width of its own; Spectre's 80 columns would wrap every name in a table.
        if (!interactive)
            console.Profile.Width = 240;
        return console;
    }

    public void WriteJson<T>(T value) => Output.WriteLine(JsonSerializer.Serialize(value, JsonOutput));

    public void WriteLine(string line) => Output.WriteLine(line);

    public void WriteError(string message) => Error.WriteLine($"shop: {message}");
}
