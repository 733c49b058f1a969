package dev.tessera.web;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Server configuration: a YAML file mapped onto a record (keys in snake_case, unknown keys are an
 * error naming the key), then top-level keys overridden by {@code TESSERA_<KEY>} environment variables
 * (a list takes comma-separated values). A missing file means "defaults plus environment".
 *
 * <p>With neither a file nor a {@code TESSERA_*} variable (the embedded defaults) the record is made without
 * Jackson: reading an empty mapping would load some 690 of its classes, which a server keeps for its life.
 */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /**
     * Reads {@code type} from {@code file} (may be {@code null}) and {@code env}.
     *
     * @throws IllegalArgumentException with the file, the key and what is wrong
     */
    public static <T extends Record> T load(Path file, Class<T> type, Map<String, String> env) {
        if (file == null && !mentions(env, type)) {
            return empty(type);
        }
        return Yaml.load(file, type, env);
    }

    /** Whether {@code env} sets any of {@code type}'s keys. */
    private static boolean mentions(Map<String, String> env, Class<? extends Record> type) {
        for (RecordComponent component : type.getRecordComponents()) {
            if (env.containsKey(variable(component))) {
                return true;
            }
        }
        return false;
    }

    /** What Jackson makes of an empty mapping: every component null (zero or false for primitives). */
    private static <T extends Record> T empty(Class<T> type) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = types[i].isPrimitive() ? Array.get(Array.newInstance(types[i], 1), 0) : null; // 0, false
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw new IllegalArgumentException("configuration: " + bad.getMessage(), bad);
            }
            throw new IllegalStateException(type.getSimpleName() + " cannot be made with its defaults", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getSimpleName() + " cannot be made with its defaults", e);
        }
    }

    private static String variable(RecordComponent component) {
        return "TESSERA_" + snake(component.getName()).toUpperCase(Locale.ROOT);
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** A JSON mapper with the same conventions, for admin APIs and JSON files. */
    public static JsonMapper json() {
        return JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    }

    /** The file and the environment through Jackson, loaded only when there is something to read. */
    private static final class Yaml {
        private static final YAMLMapper YAML = YAMLMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addModule(new SimpleModule("durations").addDeserializer(Duration.class, new DurationText()))
                .build();

        /** Durations written as people write them ({@code 1h}, {@code 20m}, {@code 3600}); see {@link Durations}. */
        private static final class DurationText extends ValueDeserializer<Duration> {
            @Override
            public Duration deserialize(JsonParser parser, DeserializationContext context) {
                try {
                    return Durations.parse(parser.getString());
                } catch (IllegalArgumentException e) {
                    return (Duration) context.handleWeirdStringValue(Duration.class, parser.getString(), e.getMessage());
                }
            }
        }

        static <T extends Record> T load(Path file, Class<T> type, Map<String, String> env) {
            String where = file == null ? "configuration" : file.toString();
            try {
                ObjectNode root;
                if (file == null) {
                    root = YAML.createObjectNode();
                } else {
                    if (!Files.isRegularFile(file)) {
                        throw new IllegalArgumentException("configuration file not found: " + file);
                    }
                    JsonNode tree = YAML.readTree(file.toFile());
                    if (tree == null || tree.isMissingNode() || tree.isNull()) {
                        root = YAML.createObjectNode();
                    } else if (tree instanceof ObjectNode object) {
                        root = object;
                    } else {
                        throw new IllegalArgumentException(where + ": the top level must be a mapping of keys to values");
                    }
                }
                applyEnvironment(root, type, env);
                return YAML.treeToValue(root, type);
            } catch (JacksonException e) {
                StringBuilder key = new StringBuilder();
                for (JacksonException.Reference ref : e.getPath()) {
                    key.append(ref.getPropertyName() != null ? (key.length() > 0 ? "." : "") + ref.getPropertyName()
                            : "[" + ref.getIndex() + "]");
                }
                boolean located = e.getLocation() != null && e.getLocation().getLineNr() > 0;
                throw new IllegalArgumentException(where + (key.length() > 0 ? ": key '" + key + "'" : "") + ": "
                        + e.getOriginalMessage() + (located ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
            }
        }

        private static void applyEnvironment(ObjectNode root, Class<? extends Record> type, Map<String, String> env) {
            for (RecordComponent component : type.getRecordComponents()) {
                String key = snake(component.getName());
                String value = env.get(variable(component));
                if (value == null) {
                    continue;
                }
                if (Collection.class.isAssignableFrom(component.getType())) {
                    ArrayNode list = root.putArray(key);
                    for (String item : value.split(",")) {
                        if (!item.isBlank()) {
                            list.add(item.strip());
                        }
                    }
                } else {
                    root.put(key, value);
                }
            }
        }
    }
}
