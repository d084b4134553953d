namespace Shop.AmazonSqs.Tests.Transport;

public sealed record PingSent(Guid Id, string Text);

public sealed record OrderedStep(Guid Id, string Group, int Sequence);

public sealed record ProcessSlowly(Guid Id, int Seconds);

public sealed record BigDocument(Guid Id, string Content);

public sealed record AlwaysFails(Guid Id);

public sealed record Unhandled(Guid Id);
