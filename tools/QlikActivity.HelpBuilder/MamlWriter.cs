using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace QlikActivity.HelpBuilder
{
    /// <summary>
    /// Writes PowerShell MAML (<c>&lt;Assembly&gt;.dll-Help.xml</c>): a <c>helpItems</c> root in the
    /// <c>http://msh</c> namespace holding one <c>command:command</c> per cmdlet, in the layout
    /// platyPS's New-ExternalHelp produces and Get-Help reads.
    /// </summary>
    internal static class MamlWriter
    {
        public static readonly XNamespace Msh = "http://msh";
        public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

        public static XDocument Write(IEnumerable<CommandHelpPage> pages)
        {
            var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"));
            foreach (var page in pages.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase))
            {
                root.Add(WriteCommand(page));
            }

            return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        }

        private static XElement WriteCommand(CommandHelpPage page)
        {
            var command = new XElement(Command + "command",
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
                new XElement(Command + "details",
                    new XElement(Command + "name", page.Name),
                    new XElement(Command + "verb", page.Verb),
                    new XElement(Command + "noun", page.Noun),
                    Description(page.Synopsis)),
                Description(page.Description),
                Syntax(page),
                new XElement(Command + "parameters", page.Parameters.Select(Parameter)),
                new XElement(Command + "inputTypes", page.Inputs.Select(i =>
                    new XElement(Command + "inputType", TypeElement(i.TypeName), Description(i.Description)))),
                new XElement(Command + "returnValues", page.Outputs.Select(o =>
                    new XElement(Command + "returnValue", TypeElement(o.TypeName), Description(o.Description)))),
                new XElement(Maml + "alertSet",
                    new XElement(Maml + "alert", Paras(page.Notes))),
                new XElement(Command + "examples", page.Examples.Select(Example)),
                new XElement(Command + "relatedLinks", page.RelatedLinks.Select(l =>
                    new XElement(Maml + "navigationLink",
                        new XElement(Maml + "linkText", l.Text),
                        new XElement(Maml + "uri", l.Uri)))));
            return command;
        }

        private static XElement Syntax(CommandHelpPage page)
        {
            var syntax = new XElement(Command + "syntax");
            var sets = page.ParameterSets.Count > 0 ? page.ParameterSets : new List<string> { "__AllParameterSets" };
            foreach (var set in sets)
            {
                var item = new XElement(Command + "syntaxItem", new XElement(Maml + "name", page.Name));
                // Without named sets every parameter belongs to the one syntax.
                foreach (var parameter in page.Parameters.Where(p => page.ParameterSets.Count == 0 || p.InSet(set)))
                {
                    item.Add(Parameter(parameter));
                }

                syntax.Add(item);
            }

            return syntax;
        }

        private static XElement Parameter(HelpParameter p)
        {
            var element = new XElement(Command + "parameter",
                new XAttribute("required", p.Required ? "true" : "false"),
                new XAttribute("variableLength", "true"),
                new XAttribute("globbing", p.Globbing ? "true" : "false"),
                new XAttribute("pipelineInput", p.PipelineInput),
                new XAttribute("position", p.Position.Equals("Named", StringComparison.OrdinalIgnoreCase) ? "named" : p.Position),
                new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
                new XElement(Maml + "name", p.Name),
                Description(p.Description));
            if (p.AcceptedValues.Count > 0)
            {
                element.Add(new XElement(Command + "parameterValueGroup", p.AcceptedValues.Select(v =>
                    new XElement(Command + "parameterValue",
                        new XAttribute("required", "false"),
                        new XAttribute("variableLength", "false"),
                        v))));
            }

            if (!p.IsSwitch)
            {
                element.Add(new XElement(Command + "parameterValue",
                    new XAttribute("required", "true"),
                    new XAttribute("variableLength", "false"),
                    p.Type));
            }

            element.Add(TypeElement(p.Type));
            element.Add(new XElement(Dev + "defaultValue", p.DefaultValue));
            return element;
        }

        private static XElement Example(HelpExample example)
        {
            string title = example.Title.StartsWith('-')
                ? example.Title
                : $"-------------------------- {example.Title} --------------------------";
            return new XElement(Command + "example",
                new XElement(Maml + "title", title),
                new XElement(Dev + "code", string.Join("\n\n", example.Code)),
                new XElement(Dev + "remarks", Paras(example.Introduction.Concat(example.Remarks))));
        }

        private static XElement TypeElement(string typeName) =>
            new XElement(Dev + "type",
                new XElement(Maml + "name", typeName),
                new XElement(Maml + "uri"));

        private static XElement Description(IEnumerable<string> paragraphs) =>
            new XElement(Maml + "description", Paras(paragraphs));

        private static IEnumerable<XElement> Paras(IEnumerable<string> paragraphs)
        {
            var list = paragraphs.ToList();
            if (list.Count == 0)
            {
                return new[] { new XElement(Maml + "para") };
            }

            return list.Select(p => new XElement(Maml + "para", p));
        }
    }
}
