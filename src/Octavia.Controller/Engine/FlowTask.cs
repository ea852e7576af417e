namespace Octavia.Controller.Engine;

/// <summary>A task made of two delegates, so that flows read as recipes of named steps.</summary>
public sealed class FlowTask(
    string name,
    Func<FlowContext, CancellationToken, Task> execute,
    Func<FlowContext, CancellationToken, Task>? revert = null) : IFlowTask
{
    public string Name { get; } = name;

    public Task ExecuteAsync(FlowContext context, CancellationToken cancellationToken) => execute(context, cancellationToken);

    public Task RevertAsync(FlowContext context, CancellationToken cancellationToken) =>
        revert is null ? Task.CompletedTask : revert(context, cancellationToken);

    /// <summary>A task whose only job is its revert (upstream's "…ToErrorOnRevert" guards).</summary>
    public static FlowTask Guard(string name, Func<FlowContext, CancellationToken, Task> onRevert) =>
        new(name, (_, _) => Task.CompletedTask, onRevert);
}
