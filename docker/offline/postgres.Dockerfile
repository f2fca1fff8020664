# A stand-in for the postgres image built from Debian's PostgreSQL 15: it honours the same
# POSTGRES_DB / POSTGRES_USER / POSTGRES_PASSWORD variables and data directory, and has pg_isready.
FROM tailor-offline/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
VOLUME /var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
