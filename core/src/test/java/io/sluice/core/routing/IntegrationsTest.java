package io.sluice.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.spec.SpecJson;
import org.junit.jupiter.api.Test;

class IntegrationsTest {

    static Integrations of(String json) throws Exception {
        JsonNode node = SpecJson.MAPPER.readTree(json);
        return Integrations.of(node);
    }

    @Test
    void allDefaultsToTrue() throws Exception {
        assertThat(Integrations.of(null).enables("Amazon Kinesis")).isTrue();
        assertThat(of("{}").enables("Amazon Kinesis")).isTrue();
        assertThat(of("{\"Mixpanel\":false}").enables("Amazon Kinesis")).isTrue();
        assertThat(of("{\"Mixpanel\":false}").enables("Mixpanel")).isFalse();
    }

    @Test
    void allKeyIsCaseInsensitive() throws Exception {
        assertThat(of("{\"all\":false}").enables("Amazon Kinesis")).isFalse();
        assertThat(of("{\"ALL\":false}").enables("Amazon Kinesis")).isFalse();
        assertThat(of("{\"All\":false}").enables("Amazon Kinesis")).isFalse();
    }

    @Test
    void destinationKeyIsCaseSensitive() throws Exception {
        assertThat(of("{\"amazon kinesis\":false}").enables("Amazon Kinesis")).isTrue();
        assertThat(of("{\"Amazon Kinesis\":false}").enables("Amazon Kinesis")).isFalse();
        assertThat(of("{\"All\":false,\"amazon kinesis\":true}").enables("Amazon Kinesis")).isFalse();
    }

    @Test
    void allFalseWithOneTrueMeansOnlyThatOne() throws Exception {
        Integrations integrations = of("{\"All\":false,\"Amazon Kinesis\":true}");
        assertThat(integrations.enables("Amazon Kinesis")).isTrue();
        assertThat(integrations.enables("Mixpanel")).isFalse();
    }

    @Test
    void objectValueCountsAsEnabled() throws Exception {
        assertThat(of("{\"All\":false,\"Amazon Kinesis\":{\"stream\":\"other\"}}").enables("Amazon Kinesis")).isTrue();
    }
}
