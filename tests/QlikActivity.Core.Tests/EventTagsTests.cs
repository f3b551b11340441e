using System.Collections.Generic;
using Xunit;

namespace QlikActivity.Core.Tests
{
    public class EventTagsTests
    {
        [Fact]
        public void Tags_read_as_key_equals_value_in_their_order()
        {
            var tags = new EventTags(new Dictionary<string, string> { ["site"] = "oslo", ["env"] = "prod" });
            Assert.Equal("site=oslo; env=prod", tags.ToString());
            Assert.Equal("prod", tags["env"]);
        }

        [Fact]
        public void No_tags_read_as_nothing()
        {
            Assert.Equal("", EventTags.None.ToString());
            Assert.Equal("", new UserEvent().Tags.ToString());
        }

        [Fact]
        public void An_event_given_a_plain_dictionary_keeps_its_tags_as_EventTags()
        {
            var e = new UserEvent { Tags = new Dictionary<string, string> { ["env"] = "prod" } };
            Assert.IsType<EventTags>(e.Tags);
            Assert.Equal("env=prod", e.Tags.ToString());
            e.Tags = null!;
            Assert.Same(EventTags.None, e.Tags);
        }

        [Fact]
        public void A_copy_does_not_change_with_the_dictionary_it_came_from()
        {
            var source = new Dictionary<string, string> { ["env"] = "prod" };
            var tags = new EventTags(source);
            source["env"] = "test";
            Assert.Equal("env=prod", tags.ToString());
        }
    }
}
