# The Sluice application image: every role runs from it (`sluice router`, `sluice worker ...`, `sluice ingress ...`).
# Build:  docker build -t sluice:0.1.0 .      (the tag docker-compose.yml and ops/k8s/base use)
# The image carries the repo's default model at /opt/sluice/models/stories260K, so every role serves it as is.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -q -B install -DskipTests

# Chronicle Map compiles classes at run time: the runtime image needs a full JDK, not a JRE.
FROM eclipse-temurin:17-jdk
RUN useradd --create-home --uid 10001 sluice
WORKDIR /opt/sluice
COPY --from=build /src/cli/target/sluice.jar /opt/sluice/sluice.jar
COPY --from=build /src/cli/target/lib /opt/sluice/lib
COPY --from=build /src/cli/target/classes/jvm.options /opt/sluice/jvm.options
COPY --from=build /src/models/stories260K /opt/sluice/models/stories260K
ENV DJL_CACHE_DIR=/var/lib/sluice/djl \
    OMP_WAIT_POLICY=PASSIVE
RUN mkdir -p /var/lib/sluice && chown -R sluice /var/lib/sluice
USER sluice
VOLUME ["/var/lib/sluice"]
ENTRYPOINT ["java", "@/opt/sluice/jvm.options", "-jar", "/opt/sluice/sluice.jar"]
CMD ["--help"]
