using System.Text.RegularExpressions;
using Shop.Docs.Tests.Infrastructure;

namespace Shop.Docs.Tests;

/// <summary>Counts and lists the docs give of the test suites, against the scripts and folders they describe.</summary>
[Trait("Category", "NoTransport")]
public sealed partial class TestSuiteFactsTests
{
    [Fact]
    public void Should_name_every_suite_the_sqs_pass_of_the_test_command_runs()
    {
        var script = File.ReadAllText(Repository.PathOf("scripts/test.sh"));
        var suites = SqsPassProjects().Match(script).Groups["projects"].Value
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(project => project.Replace("tests/", "", StringComparison.Ordinal).Replace(".Tests", "", StringComparison.Ordinal))
            .ToList();
        var sentence = SqsPassSentence().Match(new Markdown("docs/amazon-sqs.md").Prose).Value;

        Assert.True(suites.Count > 0, "scripts/test.sh has no `for project in tests/…; do` loop for the SQS pass any more: update this test");
        Assert.True(sentence.Length > 0, "docs/amazon-sqs.md no longer says which suites `scripts/test.sh` runs a second time");
        var missing = suites.Where(suite => !sentence.Contains(suite, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0,
            $"scripts/test.sh runs {string.Join(", ", suites)} on SQS/SNS; docs/amazon-sqs.md leaves out {string.Join(", ", missing)}: \"{sentence}\"");
    }

    [Fact]
    public void Should_count_the_sigv4_cases_the_signer_is_tested_with()
    {
        var cases = Directory.GetDirectories(Repository.PathOf("tests/AmazonSqs.Tests/SigV4TestSuite")).Length;
        var claimed = SigV4Count().Match(new Markdown("docs/amazon-sqs.md").Prose);

        Assert.True(claimed.Success, "docs/amazon-sqs.md no longer says how many SigV4 cases the signer reproduces");
        Assert.Equal(cases, int.Parse(claimed.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"for project in (?<projects>[^;]+); do\s+SHOP_TEST_TRANSPORT=AmazonSqs")]
    private static partial Regex SqsPassProjects();

    [GeneratedRegex(@"`scripts/test\.sh` runs the [^.]*? a second time")]
    private static partial Regex SqsPassSentence();

    [GeneratedRegex(@"reproduces (?<count>\d+) cases of AWS's SigV4 test suite")]
    private static partial Regex SigV4Count();
}
