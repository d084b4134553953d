using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.Sagas;
using Xunit;

namespace Shop.Messaging.Tests.Sagas;

// The base's own behaviour, on MassTransit's in-memory test harness: what a step does with the broker is the sagas'
// business, and their tests run on the real one.

public sealed class When_a_saga_step_runs
{
    [Fact]
    public async Task Should_run_before_the_rest_of_the_behaviour_in_the_order_given()
    {
        await using var spec = await StepSpec.Start();
        var id = NewId.NextGuid();

        var saga = await spec.Handle(new Go(id, GoMode.Pass), m => m.Done);

        Assert.Equal("note, note-go:Pass, then", saga.Trail);
        Assert.Null(saga.Caught);
    }

    [Fact]
    public void Should_name_itself_to_the_probe()
    {
        Assert.Equal(["note"], new NoteStep().GetProbeResult().Results.Keys);
        Assert.Equal(["note-go"], new NoteGoStep().GetProbeResult().Results.Keys);
    }
}

public sealed class When_an_earlier_step_fails
{
    [Theory]
    [InlineData(GoMode.Fail)]
    [InlineData(GoMode.FailPlain)]
    public async Task Should_pass_the_fault_on_to_the_catch_without_running(GoMode mode)
    {
        await using var spec = await StepSpec.Start();
        var id = NewId.NextGuid();

        var saga = await spec.Handle(new Go(id, mode), m => m.Caught);

        Assert.Equal(FailStep.Failure, saga.Caught);
        Assert.Equal("", saga.Trail);
    }
}

/// <summary>
/// Pass: the steps run and the behaviour goes on. Fail: an event with a message fails in its first step. FailPlain: an
/// event without a message (raised by the saga) fails in its first step.
/// </summary>
public enum GoMode
{
    Pass,
    Fail,
    FailPlain,
}

public sealed record Go(Guid Id, GoMode Mode);

public sealed class StepState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public string Trail { get; set; } = "";
    public string? Caught { get; set; }

    public void Note(string step) => Trail = Trail.Length == 0 ? step : $"{Trail}, {step}";
}

/// <summary>Steps for any event.</summary>
public sealed class NoteStep() : SagaStep<StepState>("note")
{
    protected override Task Run(BehaviorContext<StepState> context)
    {
        context.Saga.Note("note");
        return Task.CompletedTask;
    }
}

public sealed class FailStep() : SagaStep<StepState>("fail")
{
    public const string Failure = "the step failed";

    protected override Task Run(BehaviorContext<StepState> context) => throw new InvalidOperationException(Failure);
}

/// <summary>A step that reads its event's message.</summary>
public sealed class NoteGoStep() : SagaStep<StepState, Go>("note-go")
{
    protected override Task Run(BehaviorContext<StepState, Go> context)
    {
        context.Saga.Note($"note-go:{context.Message.Mode}");
        return Task.CompletedTask;
    }
}

public sealed class StepStateMachine : MassTransitStateMachine<StepState>
{
    public StepStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Went, e => e.CorrelateById(m => m.Message.Id));

        Initially(
            When(Went, context => context.Message.Mode == GoMode.Pass)
                .Activity(x => x.OfInstanceType<NoteStep>())
                .Activity(x => x.OfType<NoteGoStep>())
                .Then(context => context.Saga.Note("then"))
                .TransitionTo(Done),
            // The steps after the failing one must hand its fault on for the Catch to see it.
            When(Went, context => context.Message.Mode == GoMode.Fail)
                .Activity(x => x.OfInstanceType<FailStep>())
                .Activity(x => x.OfInstanceType<NoteStep>())
                .Activity(x => x.OfType<NoteGoStep>())
                .Catch<InvalidOperationException>(caught => caught
                    .Then(context => context.Saga.Caught = context.Exception.Message)
                    .TransitionTo(Caught)),
            When(Went, context => context.Message.Mode == GoMode.FailPlain)
                .ThenAsync(context => context.Raise(Plain)),
            When(Plain)
                .Activity(x => x.OfType<FailStep>())
                .Activity(x => x.OfType<NoteStep>())
                .Catch<InvalidOperationException>(caught => caught
                    .Then(context => context.Saga.Caught = context.Exception.Message)
                    .TransitionTo(Caught)));
    }

    public State Done { get; private set; } = null!;
    public State Caught { get; private set; } = null!;
    public Event<Go> Went { get; private set; } = null!;

    /// <summary>An event without a message, raised by the saga itself.</summary>
    public Event Plain { get; private set; } = null!;
}

sealed class StepSpec : IAsyncDisposable
{
    readonly ServiceProvider _provider;

    StepSpec(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<StepStateMachine, StepState>();
    }

    ITestHarness Harness { get; }
    ISagaStateMachineTestHarness<StepStateMachine, StepState> Saga { get; }

    public static async Task<StepSpec> Start()
    {
        var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x =>
            {
                x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(30));
                x.AddSagaStateMachine<StepStateMachine, StepState>().InMemoryRepository();
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            })
            .AddScoped<NoteStep>()
            .AddScoped<FailStep>()
            .AddScoped<NoteGoStep>()
            .BuildServiceProvider(true);

        var spec = new StepSpec(provider);
        await spec.Harness.Start();
        return spec;
    }

    /// <summary>Publishes <paramref name="go"/> and waits for its saga to reach <paramref name="state"/>.</summary>
    public async Task<StepState> Handle(Go go, Func<StepStateMachine, State> state)
    {
        await Harness.Bus.Publish(go);
        var found = await Saga.Exists(go.Id, state, TimeSpan.FromSeconds(20));
        Assert.True(found.HasValue, $"The saga {go.Id} did not reach {state(Saga.StateMachine).Name}.");
        return Saga.Sagas.ContainsInState(go.Id, Saga.StateMachine, state)
            ?? throw new Xunit.Sdk.XunitException($"The saga {go.Id} left {state(Saga.StateMachine).Name} again.");
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
