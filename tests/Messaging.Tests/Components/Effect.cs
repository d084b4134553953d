namespace Shop.Messaging.Tests.Components;

/// <summary>A consumer's business write; counting these rows shows how often a consumer really ran.</summary>
public sealed class Effect
{
    public long Id { get; set; }
    public string Key { get; set; } = "";
    public string Consumer { get; set; } = "";
}

/// <summary>A business write whose key the consumer makes: its insert reads nothing back, so its commit can join a group.</summary>
public sealed class KeyedEffect
{
    public Guid Id { get; set; }
    public string Key { get; set; } = "";
}
