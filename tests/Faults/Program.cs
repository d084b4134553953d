// The fault suite (issue 14): the four services as processes under steady load while each is killed, the broker and
// PostgreSQL restart, outbox messages are duplicated and poison arrives; prints a table, writes results.json and
// exits non-zero if any count is not zero.
//   scripts/faults.sh [--transport rabbitmq|sqs] [--orders 1000] [--images 200] [--rate 4] [--poison 20] [--quick]
//                     [--settle-minutes 15] [--out DIR] [--keep-services]
using System.Text.Json;
using Shop.Faults;

var options = FaultOptions.Parse(args);
var repository = Repository.Root();
var output = Path.GetFullPath(options.Out ?? Path.Combine(repository, "artifacts", "faults", $"{options.Transport}-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
Directory.CreateDirectory(output);
Console.WriteLine($"fault suite: {options}; logs and results in {output}");

var report = await new FaultRun(options, repository, output).Run();

await File.WriteAllTextAsync(Path.Combine(output, "results.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine(report.Table());
Console.WriteLine(report.Failures.Count == 0 ? "fault suite: every count is zero" : "fault suite: FAILED: " + string.Join("; ", report.Failures));
return report.Failures.Count == 0 ? 0 : 1;

static class Repository
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Shop.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException("Shop.sln not found above " + AppContext.BaseDirectory);
    }
}
