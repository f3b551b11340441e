using System.Collections.Generic;

namespace QlikActivity.HelpBuilder
{
    /// <summary>One cmdlet's help as read from a platyPS markdown page.</summary>
    internal sealed class CommandHelpPage
    {
        public string SourceFile { get; set; } = "";
        public string Name { get; set; } = "";
        public string Verb => Name.Contains('-') ? Name.Substring(0, Name.IndexOf('-')) : Name;
        public string Noun => Name.Contains('-') ? Name.Substring(Name.IndexOf('-') + 1) : "";
        public Dictionary<string, string> FrontMatter { get; } = new(System.StringComparer.OrdinalIgnoreCase);
        public List<string> Synopsis { get; } = new();
        public List<string> Description { get; } = new();

        /// <summary>Parameter set names from the <c>### Name</c> headings under SYNTAX, in order; the one marked (Default) first.</summary>
        public List<string> ParameterSets { get; } = new();
        public List<string> SyntaxLines { get; } = new();
        public List<HelpExample> Examples { get; } = new();
        public List<HelpParameter> Parameters { get; } = new();
        public List<HelpTypeEntry> Inputs { get; } = new();
        public List<HelpTypeEntry> Outputs { get; } = new();
        public List<string> Notes { get; } = new();
        public List<HelpLink> RelatedLinks { get; } = new();
    }

    internal sealed class HelpExample
    {
        public string Title { get; set; } = "";
        public List<string> Introduction { get; } = new();
        public List<string> Code { get; } = new();
        public List<string> Remarks { get; } = new();
    }

    internal sealed class HelpParameter
    {
        public string Name { get; set; } = "";
        public List<string> Description { get; } = new();
        public string Type { get; set; } = "";
        public List<string> ParameterSets { get; } = new();
        public List<string> Aliases { get; } = new();
        public List<string> AcceptedValues { get; } = new();
        public bool Required { get; set; }
        public string Position { get; set; } = "Named";
        public string DefaultValue { get; set; } = "None";
        public string PipelineInput { get; set; } = "False";
        public bool Globbing { get; set; }

        /// <summary>True once a ```yaml metadata block was read for the parameter.</summary>
        public bool HasMetadata { get; set; }

        public bool IsSwitch => Type == "SwitchParameter" || Type == "System.Management.Automation.SwitchParameter";

        public bool InSet(string set) =>
            ParameterSets.Count == 0 || ParameterSets.Contains("(All)") || ParameterSets.Contains(set);
    }

    internal sealed class HelpTypeEntry
    {
        public string TypeName { get; set; } = "";
        public List<string> Description { get; } = new();
    }

    internal sealed class HelpLink
    {
        public string Text { get; set; } = "";
        public string Uri { get; set; } = "";
    }
}
