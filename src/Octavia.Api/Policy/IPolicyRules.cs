namespace Octavia.Api.Policy;

/// <summary>The named rules a <c>rule:NAME</c> check refers to.</summary>
public interface IPolicyRules
{
    PolicyCheck? Find(string name);
}
