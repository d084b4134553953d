using System.Text.RegularExpressions;
using Shop.Docs.Tests.Infrastructure;

namespace Shop.Docs.Tests;

/// <summary>Every <c>METHOD /path</c> README.md and docs/*.md name is a route the API maps.</summary>
[Trait("Category", "NoTransport")]
public sealed partial class EndpointTests
{
    public static TheoryData<string> Pages => new(Repository.MarkdownFiles);

    [Fact]
    public void Should_find_the_api_routes_in_the_sources()
    {
        // Guards the parser: if the way routes are mapped changes, this says so instead of every page failing at once.
        Assert.Contains("POST /orders", SourceCode.Routes);
        Assert.Contains("GET /orders/{}", SourceCode.Routes);
        Assert.Contains("GET /images/{}/thumbnails/{}", SourceCode.Routes);
        Assert.Contains("GET /health/ready", SourceCode.Routes);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Should_name_only_endpoints_the_api_maps(string page)
    {
        var unknown = Endpoint().Matches(new Markdown(page).Prose)
            .Select(m => (Verb: m.Groups["verb"].Value, Path: m.Groups["path"].Value))
            // A path that starts with a parameter (S3's PUT /{bucket}) is another service's API.
            .Where(e => !e.Path.StartsWith("/{", StringComparison.Ordinal))
            .Where(e => !IsMapped(e.Verb, e.Path))
            .Select(e => $"{e.Verb} {e.Path}")
            .Distinct()
            .ToList();

        Assert.True(unknown.Count == 0,
            $"{page} names endpoints the API does not map: {string.Join(", ", unknown)}. It maps: {string.Join(", ", SourceCode.Routes.Order())}");
    }

    static bool IsMapped(string verb, string path)
    {
        var segments = SourceCode.NormaliseRoute(path).Split('/');
        return SourceCode.Routes.Any(route =>
        {
            var (routeVerb, routePath) = (route[..route.IndexOf(' ')], route[(route.IndexOf(' ') + 1)..]);
            var routeSegments = routePath.Split('/');
            return routeVerb == verb && routeSegments.Length == segments.Length
                && routeSegments.Zip(segments).All(pair => pair.First == "{}" || pair.First == pair.Second);
        });
    }

    [GeneratedRegex(@"\b(?<verb>GET|POST|PUT|DELETE|PATCH) (?<path>/[^\s`?…,;)'""]*)")]
    private static partial Regex Endpoint();
}
