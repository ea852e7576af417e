using Octavia.Api.Endpoints.L7Rules;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Core.Model;
using Octavia.Core.Statuses;

namespace Octavia.Api.Endpoints.L7Policies;

/// <summary>
/// Parsing and validation of L7 policy request bodies (reference/api.md §11.1), free of database work so
/// that the policy POST/PUT and the load balancer graph create share it.
/// </summary>
public static class L7PolicyRequests
{
    public static readonly HashSet<string> PostAttributes =
    [
        "name", "description", "admin_state_up", "project_id", "tenant_id", "action", "redirect_pool_id", "redirect_url",
        "redirect_prefix", "position", "listener_id", "rules", "tags", "redirect_http_code",
    ];

    public static readonly HashSet<string> PutAttributes =
    [
        "name", "description", "admin_state_up", "action", "redirect_pool_id", "redirect_url", "redirect_prefix", "position",
        "tags", "redirect_http_code",
    ];

    public const string Reject = "REJECT";
    public const string RedirectToUrl = "REDIRECT_TO_URL";
    public const string RedirectToPool = "REDIRECT_TO_POOL";
    public const string RedirectPrefix = "REDIRECT_PREFIX";

    /// <summary>The listener protocols the amphora provider serves L7 policies on.</summary>
    private static readonly string[] AmphoraL7Protocols = ["HTTP", "TERMINATED_HTTPS"];

    /// <summary>Valid listener → pool protocol combinations (reference/api.md §7.3).</summary>
    private static readonly Dictionary<string, string[]> ListenerPoolProtocols = new()
    {
        ["HTTP"] = ["HTTP", "PROXY", "PROXYV2"],
        ["HTTPS"] = ["HTTPS", "PROXY", "PROXYV2", "TCP"],
        ["TCP"] = ["HTTP", "HTTPS", "PROXY", "PROXYV2", "TCP"],
        ["TERMINATED_HTTPS"] = ["HTTP", "PROXY", "PROXYV2"],
        ["UDP"] = ["UDP"],
        ["SCTP"] = ["SCTP"],
        ["PROMETHEUS"] = [],
    };

    /// <summary>
    /// The redirect attributes of a request after upstream's sanitize_l7policy_api_args: which ones the
    /// request sets (Present) and to what. Unset ones leave the stored value alone on update.
    /// </summary>
    public sealed class RedirectArgs
    {
        public Opt<string?> Action { get; set; }
        public Opt<string?> PoolId { get; set; }
        public Opt<string?> Url { get; set; }
        public Opt<string?> Prefix { get; set; }
        public Opt<int?> HttpCode { get; set; }

        /// <summary>A graph policy's inline <c>redirect_pool</c> stands for a pool id not known yet.</summary>
        public bool GraphPool { get; set; }

        /// <summary>Writes the set attributes onto <paramref name="policy"/> and clears what the action does not use.</summary>
        public void ApplyTo(L7Policy policy)
        {
            if (Action.Present)
            {
                policy.Action = Action.Value!;
            }

            if (PoolId.Present)
            {
                policy.RedirectPoolId = PoolId.Value;
            }

            if (Url.Present)
            {
                policy.RedirectUrl = Url.Value;
            }

            if (Prefix.Present)
            {
                policy.RedirectPrefix = Prefix.Value;
            }

            if (HttpCode.Present)
            {
                policy.RedirectHttpCode = HttpCode.Value;
            }

            if (!Action.Present)
            {
                return;
            }

            // Upstream's repository update: switching the action clears the fields that no longer apply.
            if (policy.Action != RedirectToPool)
            {
                policy.RedirectPoolId = null;
            }

            if (policy.Action != RedirectToUrl)
            {
                policy.RedirectUrl = null;
            }

            if (policy.Action != RedirectPrefix)
            {
                policy.RedirectPrefix = null;
            }

            if (policy.Action is Reject or RedirectToPool)
            {
                policy.RedirectHttpCode = null;
            }
            else
            {
                policy.RedirectHttpCode ??= 302;
            }
        }
    }

    /// <summary>
    /// A validated new policy; <see cref="L7Policy.Rules"/> holds the parsed inline <c>rules</c> (graph
    /// create). <see cref="L7Policy.ProjectId"/> is left empty, and <see cref="L7Policy.ListenerId"/> too
    /// unless <paramref name="requireListenerId"/>. <see cref="L7Policy.Position"/> is the requested
    /// position, <see cref="Constants.MaxPosition"/> (append) when none was given.
    /// </summary>
    public static L7Policy ParsePost(JsonBody body, bool requireListenerId, DateTime now, bool graphRedirectPool = false)
    {
        var name = body.String("name");
        var description = body.String("description");
        var adminStateUp = body.Bool("admin_state_up");
        body.String("project_id", 36);
        body.String("tenant_id", 36);
        var args = ReadRedirects(body);
        args.GraphPool = graphRedirectPool;
        var position = body.Int("position", 1, Constants.MaxPosition);
        var listenerId = body.Uuid("listener_id");
        var rules = body.ObjectList("rules", L7RuleRequests.PostAttributes);
        var tags = body.Tags();

        JsonBody.Required("action", args.Action);
        var listener = requireListenerId ? JsonBody.Required("listener_id", listenerId) : "";
        Sanitize(args, create: true);

        var policy = new L7Policy
        {
            Id = WriteScope.NewId(),
            ProjectId = "",
            ListenerId = listener,
            Name = name.Value ?? "",
            Description = description.Value ?? "",
            Action = args.Action.Value!,
            Position = position.Value ?? Constants.MaxPosition,
            Enabled = !adminStateUp.Present || (adminStateUp.Value ?? false),
            ProvisioningStatus = ProvisioningStatus.PendingCreate,
            OperatingStatus = OperatingStatus.Offline,
            Tags = tags.Value ?? [],
            CreatedAt = now,
        };
        args.ApplyTo(policy);

        var parsedRules = (rules.Value ?? []).Select(r => L7RuleRequests.ParsePost(r, now)).ToList();
        if (parsedRules.Count > Constants.MaxL7RulesPerPolicy)
        {
            throw ApiException.Conflict($"Too many rules on L7 policy {policy.Id}");
        }

        foreach (var rule in parsedRules)
        {
            rule.L7PolicyId = policy.Id;
        }

        policy.Rules = parsedRules;
        return policy;
    }

    /// <summary>The PUT's redirect attributes, sanitized; the caller applies them with <see cref="RedirectArgs.ApplyTo"/>.</summary>
    public static RedirectArgs ParsePutRedirects(JsonBody body)
    {
        var args = ReadRedirects(body);
        Sanitize(args, create: false);
        return args;
    }

    private static RedirectArgs ReadRedirects(JsonBody body) => new()
    {
        Action = body.Enum("action", Constants.L7PolicyActions),
        PoolId = body.Uuid("redirect_pool_id"),
        Url = Url(body, "redirect_url"),
        Prefix = Url(body, "redirect_prefix"),
        HttpCode = HttpCode(body),
    };

    /// <summary>
    /// Upstream's sanitize_l7policy_api_args: the action needs its target, a pool excludes a URL or prefix,
    /// and a given target implies its action (and the 302 default code for redirects).
    /// </summary>
    private static void Sanitize(RedirectArgs a, bool create)
    {
        static bool Given(Opt<string?> o) => !string.IsNullOrEmpty(o.Value);
        static Opt<T> Set<T>(T value) => new(true, value);

        if (a.Action.Present)
        {
            switch (a.Action.Value)
            {
                case Reject:
                    a.Url = Set<string?>(null);
                    a.PoolId = Set<string?>(null);
                    a.GraphPool = false;
                    break;
                case RedirectToUrl:
                    if (!Given(a.Url))
                    {
                        throw InvalidArgs("redirect_url must not be None");
                    }

                    a.PoolId = Set<string?>(null);
                    a.GraphPool = false;
                    break;
                case RedirectToPool:
                    if (!Given(a.PoolId) && !a.GraphPool)
                    {
                        throw InvalidArgs("redirect_pool_id or redirect_pool must not be None");
                    }

                    a.Url = Set<string?>(null);
                    break;
                case RedirectPrefix:
                    if (!Given(a.Prefix))
                    {
                        throw InvalidArgs("redirect_prefix must not be None");
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"Invalid L7 Policy action specified: {a.Action.Value ?? "None"}");
            }
        }

        if ((Given(a.PoolId) || a.GraphPool) && (Given(a.Url) || Given(a.Prefix)))
        {
            throw InvalidArgs("Cannot specify redirect_pool_id and redirect_url or redirect_prefix at the same time");
        }

        if (Given(a.PoolId) || a.GraphPool)
        {
            a.Action = Set<string?>(RedirectToPool);
            a.Url = Set<string?>(null);
            a.Prefix = Set<string?>(null);
            a.HttpCode = Set<int?>(null);
        }

        if (Given(a.Url))
        {
            a.Action = Set<string?>(RedirectToUrl);
            a.PoolId = Set<string?>(null);
            a.Prefix = Set<string?>(null);
            a.HttpCode = Set<int?>(a.HttpCode.Value ?? 302);
        }

        if (Given(a.Prefix))
        {
            a.Action = Set<string?>(RedirectPrefix);
            a.PoolId = Set<string?>(null);
            a.Url = Set<string?>(null);
            a.HttpCode = Set<int?>(a.HttpCode.Value ?? 302);
        }

        if (create && !a.Action.Present)
        {
            throw ApiException.BadRequest("Invalid L7 Policy action specified: None");
        }
    }

    private static ApiException InvalidArgs(string detail) => ApiException.BadRequest("Invalid L7 Policy arguments: " + detail);

    /// <summary>PROMETHEUS listeners take no children (reference/api.md §7.2).</summary>
    public static void CheckListener(Listener listener)
    {
        if (listener.Protocol == "PROMETHEUS")
        {
            throw ApiException.BadRequest("Protocol PROMETHEUS listeners cannot have child objects.");
        }
    }

    /// <summary>The amphora provider serves L7 policies only on HTTP and TERMINATED_HTTPS listeners (501 otherwise).</summary>
    public static void CheckProvider(Listener listener, string provider)
    {
        if (Providers.IsAmphora(provider) && !AmphoraL7Protocols.Contains(listener.Protocol))
        {
            throw ApiException.NotImplemented(
                $"Provider '{provider}' does not support a requested option: {listener.Protocol} protocol listeners do not support L7 policies");
        }
    }

    /// <summary>A redirect pool's protocol must suit the listener (upstream's _validate_protocol).</summary>
    public static void CheckPoolProtocol(string listenerProtocol, string poolProtocol)
    {
        if (!ListenerPoolProtocols.TryGetValue(listenerProtocol, out var allowed) || !allowed.Contains(poolProtocol))
        {
            throw ApiException.ValidationFailure(
                $"The pool protocol '{poolProtocol}' is invalid while the listener protocol is '{listenerProtocol}'.");
        }
    }

    private static Opt<string?> Url(JsonBody body, string name)
    {
        var value = body.String(name, int.MaxValue);
        if (value.Value is { } url && !IsHttpUrl(url))
        {
            throw ApiException.InvalidInput(name, url, "Value must be a valid URL string");
        }

        return value;
    }

    /// <summary>
    /// An http or https URL with a host. Control characters and spaces are refused before parsing: the
    /// value ends up in the HAProxy configuration, so a newline would inject configuration.
    /// </summary>
    private static bool IsHttpUrl(string url) =>
        !url.Any(c => c <= '\x20' || (c >= '\x7f' && c <= '\x9f'))
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host);

    private static Opt<int?> HttpCode(JsonBody body)
    {
        var value = body.Int("redirect_http_code");
        if (value.Value is { } code && !Constants.RedirectHttpCodes.Contains(code))
        {
            throw ApiException.InvalidInput("redirect_http_code", code.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "Value should be one of: " + string.Join(", ", Constants.RedirectHttpCodes));
        }

        return value;
    }
}
