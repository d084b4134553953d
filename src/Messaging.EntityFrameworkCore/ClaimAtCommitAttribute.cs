namespace Shop.Messaging.EntityFrameworkCore;

/// <summary>
/// For a consumer whose only effects are its database changes and the messages it sends or publishes (no mail, no
/// gateway call, no file written): the inbox claim is sent with the consume's commit instead of in a round trip of its
/// own before the consumer runs. A duplicate then runs the consumer, but nothing it did commits: the claim finds the
/// row and the whole transaction rolls back, after which the inbox is read and the message acknowledged as a
/// duplicate. On PostgreSQL, for a message's first attempt of its first delivery; a retry, a redelivery and any other
/// store claim first, as without the attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ClaimAtCommitAttribute : Attribute;
