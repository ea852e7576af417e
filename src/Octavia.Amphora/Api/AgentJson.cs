using System.Text.Json.Serialization;
using Octavia.Core.Amphorae;

namespace Octavia.Amphora.Api;

/// <summary>
/// Every shape the agent reads or writes as JSON, serialized by generated code (the native agent has no
/// reflection-based serializer). The value types of <c>/1.0/details</c> are listed so that its
/// <c>object</c> values resolve.
/// </summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<Dictionary<string, string>>))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, long>>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(PlugVipRequest))]
[JsonSerializable(typeof(PlugNetworkRequest))]
internal sealed partial class AgentJson : JsonSerializerContext;
