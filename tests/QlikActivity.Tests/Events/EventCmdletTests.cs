using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using QlikActivity.Commands;
using QlikActivity.Core;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Events;
using QlikActivity.Core.Log4Net;
using Xunit;

namespace QlikActivity.Tests.Events
{
    /// <summary>The user-event cmdlets, read by reflection: names, outputs, parameters and validation.</summary>
    public class EventCmdletTests
    {
        // PowerShellStandard.Library is a reference stand-in: its attribute properties have no
        // bodies, so the tests read the attributes as written (constructor and named arguments).
        private sealed record Written(System.Collections.Generic.IReadOnlyList<object?> Args, System.Collections.Generic.IReadOnlyDictionary<string, object?> Named)
        {
            public object? this[string name] => Named.TryGetValue(name, out var v) ? v : null;
        }

        private static Written Read(CustomAttributeData data) => new Written(
            data.ConstructorArguments.Select(Value).ToList(),
            data.NamedArguments.ToDictionary(n => n.MemberName, n => Value(n.TypedValue)));

        private static object? Value(CustomAttributeTypedArgument a) =>
            a.Value is System.Collections.ObjectModel.ReadOnlyCollection<CustomAttributeTypedArgument> items ? items.Select(i => i.Value).ToArray() : a.Value;

        private static Written? Find<T>(MemberInfo member) =>
            member.GetCustomAttributesData().Where(d => d.AttributeType == typeof(T)).Select(Read).SingleOrDefault();

        private static Written Cmdlet(Type type) => Find<CmdletAttribute>(type)!;

        private static Written Parameter(Type type, string name) => Find<ParameterAttribute>(type.GetProperty(name)!)!;

        private static Written Attribute<T>(Type type, string name) =>
            Find<T>(type.GetProperty(name)!) ?? throw new Xunit.Sdk.XunitException($"{name} has no {typeof(T).Name}");

        private static Type[] Outputs(Type type) =>
            type.GetCustomAttributesData().Where(d => d.AttributeType == typeof(OutputTypeAttribute))
                .SelectMany(d => (object[])Value(d.ConstructorArguments[0])!).Cast<Type>().ToArray();

        [Fact]
        public void Start_QlikEventListener_streams_events_then_statistics_and_validates_its_limits()
        {
            var type = typeof(StartQlikEventListenerCommand);
            var cmdlet = Cmdlet(type);
            Assert.Equal("Start", cmdlet.Args[0]);
            Assert.Equal("QlikEventListener", cmdlet.Args[1]);
            Assert.Null(cmdlet["SupportsShouldProcess"]);
            var outputs = Outputs(type);
            Assert.Equal(new[] { typeof(UserEvent), typeof(ListenerStatistics) }, outputs);

            var port = Attribute<ValidateRangeAttribute>(type, "Port");
            Assert.Equal(1, port.Args[0]);
            Assert.Equal(65535, port.Args[1]);
            Assert.Equal(0, Parameter(type, "Port")["Position"]);
            Assert.Equal(9997, new StartQlikEventListenerCommand().Port);
            Assert.Equal(8 * 1024 * 1024, new StartQlikEventListenerCommand().ReceiveBufferSize);
            // The limits as written: a range that moved (a zero count, a 4 GiB buffer) fails here.
            Assert.Equal(new object[] { 1, long.MaxValue }, Attribute<ValidateRangeAttribute>(type, "Count").Args);
            Assert.Equal(new object[] { 1, int.MaxValue }, Attribute<ValidateRangeAttribute>(type, "Timeout").Args);
            Assert.Equal(new object[] { 65536, 1073741824 }, Attribute<ValidateRangeAttribute>(type, "ReceiveBufferSize").Args);
            Assert.Equal(new object[] { 1024, 4194304 }, Attribute<ValidateRangeAttribute>(type, "QueueCapacity").Args);
            Assert.Equal(new object[] { 1, 86400 }, Attribute<ValidateRangeAttribute>(type, "StatisticsInterval").Args);
            Assert.NotNull(Attribute<SupportsWildcardsAttribute>(type, "ExcludeUser"));
            Assert.Equal(true, Parameter(type, "Destination")["ValueFromPipeline"]);
            Assert.Equal(typeof(IEventDestination[]), type.GetProperty("Destination")!.PropertyType);
            Assert.Equal(typeof(UserEventType[]), type.GetProperty("EventType")!.PropertyType);
            Assert.Equal(typeof(Hashtable), type.GetProperty("Tag")!.PropertyType);
            Assert.Equal(typeof(SwitchParameter), type.GetProperty("NoEvents")!.PropertyType);
            Assert.Equal(typeof(int), type.GetProperty("Timeout")!.PropertyType);
        }

        [Fact]
        public void New_QlikLogAppenderConfig_asks_before_writing_and_returns_text_or_a_file()
        {
            var type = typeof(NewQlikLogAppenderConfigCommand);
            var cmdlet = Cmdlet(type);
            Assert.Equal("New", cmdlet.Args[0]);
            Assert.Equal(true, cmdlet["SupportsShouldProcess"]);
            Assert.Equal((int)ConfirmImpact.Medium, cmdlet["ConfirmImpact"]);
            var outputs = Outputs(type);
            Assert.Equal(new[] { typeof(string), typeof(FileInfo) }, outputs);
            Assert.Equal(true, Parameter(type, "ListenerAddress")["Mandatory"]);
            Assert.Equal(65535, Attribute<ValidateRangeAttribute>(type, "Port").Args[1]);
            Assert.Equal(typeof(LogAppenderFormat), type.GetProperty("Format")!.PropertyType);
            Assert.Equal(typeof(SwitchParameter), type.GetProperty("Force")!.PropertyType);
        }

        [Fact]
        public void Send_QlikUserEvent_supports_WhatIf_and_PassThru()
        {
            var type = typeof(SendQlikUserEventCommand);
            var cmdlet = Cmdlet(type);
            Assert.Equal("Send", cmdlet.Args[0]);
            Assert.Equal("QlikUserEvent", cmdlet.Args[1]);
            Assert.Equal(true, cmdlet["SupportsShouldProcess"]);
            Assert.Equal((int)ConfirmImpact.Low, cmdlet["ConfirmImpact"]);
            Assert.Equal(new[] { typeof(SentUserEvent) }, Outputs(type));
            Assert.Equal(true, Parameter(type, "Server")["Mandatory"]);
            Assert.Equal(true, Parameter(type, "Server")["ValueFromPipelineByPropertyName"]);
            Assert.Equal(new object[] { "Host" }, (object[])Attribute<AliasAttribute>(type, "HostName").Args[0]!);
            Assert.Equal(1000000, Attribute<ValidateRangeAttribute>(type, "Count").Args[1]);
            Assert.Equal(typeof(SwitchParameter), type.GetProperty("PassThru")!.PropertyType);
        }

        [Theory]
        [InlineData("Start-QlikEventListener", typeof(StartQlikEventListenerCommand))]
        [InlineData("New-QlikLogAppenderConfig", typeof(NewQlikLogAppenderConfigCommand))]
        [InlineData("Send-QlikUserEvent", typeof(SendQlikUserEventCommand))]
        public void Each_cmdlet_has_a_help_page_documenting_every_parameter(string name, Type type)
        {
            string page = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "en-US", name + ".md"));
            Assert.Contains("external help file: QlikActivity.dll-Help.xml", page);
            Assert.Contains("# " + name, page);
            Assert.Contains("### Example 2", page);
            foreach (var property in type.GetProperties().Where(p => Find<ParameterAttribute>(p) != null))
            {
                Assert.Contains("### -" + property.Name + "\n", page.Replace("\r\n", "\n"));
            }
        }

        private static string RepoRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "QlikActivity.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new DirectoryNotFoundException("QlikActivity.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
