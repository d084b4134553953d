using System.Net;
using System.Text.Json;

namespace Shop.Orders.Tests.Api;

static class ProblemAssert
{
    /// <summary>Asserts an RFC 9457 answer and returns its JSON.</summary>
    public static async Task<JsonElement> IsProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("type").GetString()));
        return problem;
    }

    public static async Task<JsonElement> IsValidationProblemNaming(HttpResponseMessage response, string field)
    {
        var problem = await IsProblem(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        var fields = errors.EnumerateObject().Select(p => p.Name).ToList();
        Assert.True(fields.Contains(field), $"Expected an error for '{field}', got: {string.Join(", ", fields)}");
        Assert.NotEmpty(errors.GetProperty(field).EnumerateArray());
        return problem;
    }
}
