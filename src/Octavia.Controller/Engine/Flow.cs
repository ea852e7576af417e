namespace Octavia.Controller.Engine;

/// <summary>An ordered list of tasks, read as a recipe. Built afresh from the job's kind and state on every run.</summary>
public sealed record Flow(string Name, IReadOnlyList<IFlowTask> Tasks);
