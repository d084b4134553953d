namespace Shop.Orders.Api.Security;

/// <summary><c>RateLimiting</c>: how many requests each client may make per window, per kind of write.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimiting";

    public WindowLimit Orders { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

    public WindowLimit Uploads { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };
}

public sealed class WindowLimit
{
    public int PermitLimit { get; set; }
    public TimeSpan Window { get; set; }
}
