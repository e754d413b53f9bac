-- pg-mcp demo database: the rows. Deterministic: no random(), no now(); the same data everywhere.
-- pg_temp.pick(i, salt, n) is a fixed integer hash of (i, salt) reduced to 0 .. n-1; it and the
-- helper tables live in the session's temporary schema and vanish with the loading connection.

CREATE FUNCTION pg_temp.mix(h bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (h * h + 7) % 2147483647 $$;

CREATE FUNCTION pg_temp.pick(i bigint, salt bigint, n bigint) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT (pg_temp.mix(pg_temp.mix((i * 48271 + salt * 69621 + 11) % 2147483647)) % n)::integer
$$;

-- A number in [0, 1) from the same hash.
CREATE FUNCTION pg_temp.unit(i bigint, salt bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT pg_temp.pick(i, salt, 1000003) / 1000003.0 $$;

CREATE TEMPORARY TABLE first_names (names text[]);
INSERT INTO first_names VALUES (ARRAY[
  'Anna', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Felix', 'Grace', 'Henrik', 'Isla', 'Jonas', 'Kira',
  'Lucas', 'Maya', 'Noah', 'Olivia', 'Paul', 'Quentin', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera',
  'William', 'Xenia', 'Yusuf', 'Zoe', 'Amelie', 'Bruno', 'Clara', 'Diego', 'Elena', 'Finn',
  'Greta', 'Hugo', 'Ines', 'Jack', 'Lena', 'Mateo', 'Nora', 'Oscar', 'Priya', 'Rafael', 'Sofia',
  'Theo', 'Ulla', 'Victor', 'Wen', 'Yara']);

CREATE TEMPORARY TABLE last_names (names text[]);
INSERT INTO last_names VALUES (ARRAY[
  'Andersen', 'Baker', 'Castillo', 'Dubois', 'Eriksson', 'Fischer', 'Garcia', 'Hansen', 'Ito',
  'Jensen', 'Kowalski', 'Larsen', 'Martin', 'Nakamura', 'Novak', 'Olsen', 'Peters', 'Rossi',
  'Schmidt', 'Tanaka', 'Underwood', 'Vogel', 'Walker', 'Young', 'Zimmermann', 'Becker', 'Clarke',
  'Dahl', 'Evans', 'Fontaine', 'Gruber', 'Hughes', 'Iversen', 'Johansson', 'Keller', 'Lindqvist',
  'Moreau', 'Nielsen', 'O''Brien', 'Patel', 'Richter', 'Silva', 'Thompson', 'van Dijk', 'Weber',
  'Bauer', 'Moretti', 'Kim']);

CREATE TEMPORARY TABLE cities (country_code char(2), idx integer, city text);
INSERT INTO cities VALUES
  ('US', 1, 'Portland'), ('US', 2, 'Denver'), ('US', 3, 'Boston'),
  ('CA', 1, 'Vancouver'), ('CA', 2, 'Calgary'), ('CA', 3, 'Toronto'),
  ('MX', 1, 'Mexico City'), ('MX', 2, 'Monterrey'), ('MX', 3, 'Guadalajara'),
  ('GB', 1, 'London'), ('GB', 2, 'Manchester'), ('GB', 3, 'Edinburgh'),
  ('DE', 1, 'Munich'), ('DE', 2, 'Berlin'), ('DE', 3, 'Hamburg'),
  ('FR', 1, 'Lyon'), ('FR', 2, 'Paris'), ('FR', 3, 'Grenoble'),
  ('NL', 1, 'Amsterdam'), ('NL', 2, 'Utrecht'), ('NL', 3, 'Rotterdam'),
  ('SE', 1, 'Stockholm'), ('SE', 2, 'Gothenburg'), ('SE', 3, 'Umeå'),
  ('NO', 1, 'Oslo'), ('NO', 2, 'Bergen'), ('NO', 3, 'Tromsø'),
  ('ES', 1, 'Madrid'), ('ES', 2, 'Barcelona'), ('ES', 3, 'Granada'),
  ('IT', 1, 'Milan'), ('IT', 2, 'Turin'), ('IT', 3, 'Bolzano'),
  ('CH', 1, 'Zurich'), ('CH', 2, 'Geneva'), ('CH', 3, 'Bern'),
  ('AT', 1, 'Vienna'), ('AT', 2, 'Innsbruck'), ('AT', 3, 'Salzburg'),
  ('AU', 1, 'Sydney'), ('AU', 2, 'Melbourne'), ('AU', 3, 'Hobart'),
  ('NZ', 1, 'Auckland'), ('NZ', 2, 'Wellington'), ('NZ', 3, 'Queenstown'),
  ('JP', 1, 'Tokyo'), ('JP', 2, 'Sapporo'), ('JP', 3, 'Osaka');

INSERT INTO countries (country_code, name, region, currency, dial_code) VALUES
  ('US', 'United States', 'North America', 'USD', '1'),
  ('CA', 'Canada', 'North America', 'CAD', '1'),
  ('MX', 'Mexico', 'North America', 'MXN', '52'),
  ('GB', 'United Kingdom', 'Europe', 'GBP', '44'),
  ('DE', 'Germany', 'Europe', 'EUR', '49'),
  ('FR', 'France', 'Europe', 'EUR', '33'),
  ('NL', 'Netherlands', 'Europe', 'EUR', '31'),
  ('SE', 'Sweden', 'Europe', 'SEK', '46'),
  ('NO', 'Norway', 'Europe', 'NOK', '47'),
  ('ES', 'Spain', 'Europe', 'EUR', '34'),
  ('IT', 'Italy', 'Europe', 'EUR', '39'),
  ('CH', 'Switzerland', 'Europe', 'CHF', '41'),
  ('AT', 'Austria', 'Europe', 'EUR', '43'),
  ('AU', 'Australia', 'Asia Pacific', 'AUD', '61'),
  ('NZ', 'New Zealand', 'Asia Pacific', 'NZD', '64'),
  ('JP', 'Japan', 'Asia Pacific', 'JPY', '81');

INSERT INTO hr.departments (department_id, name, cost_center) VALUES
  (1, 'Executive', 'CC-100'),
  (2, 'Sales', 'CC-200'),
  (3, 'Customer Service', 'CC-300'),
  (4, 'Warehouse & Logistics', 'CC-400'),
  (5, 'Marketing', 'CC-500'),
  (6, 'Finance', 'CC-600'),
  (7, 'Engineering', 'CC-700');

-- Employee 1 is the chief executive; employee d (2..7) heads department d; the rest report to
-- the head of their department.
INSERT INTO hr.employees (employee_id, first_name, last_name, email, job_title, department_id,
                          manager_id, country_code, hired_on, left_on, annual_salary)
SELECT e, first_name, last_name,
       regexp_replace(lower(first_name || '.' || last_name), '[^a-z.]', '', 'g') || '@copperleaf.example',
       CASE
         WHEN e = 1 THEN 'Chief Executive Officer'
         WHEN e <= 7 THEN 'Head of ' || d.name
         ELSE (ARRAY['Account Manager', 'Support Specialist', 'Warehouse Associate',
                     'Marketing Specialist', 'Accountant', 'Software Engineer'])[dept - 1]
       END,
       dept,
       CASE WHEN e = 1 THEN NULL WHEN e <= 7 THEN 1 ELSE dept END,
       CASE WHEN dept = 4 THEN (ARRAY['US', 'US', 'NL'])[1 + pg_temp.pick(e, 3, 3)]
            ELSE (ARRAY['US', 'US', 'US', 'NL', 'NL', 'GB'])[1 + pg_temp.pick(e, 3, 6)] END,
       hired_on,
       CASE WHEN e > 7 AND pg_temp.pick(e, 4, 8) = 0
            THEN least(hired_on + 200 + pg_temp.pick(e, 5, 500), date '2026-10-30') END,
       round(
         (CASE WHEN e = 1 THEN 240000 WHEN e <= 7 THEN 150000
               ELSE (ARRAY[68000, 52000, 41000, 63000, 66000, 98000])[dept - 1] END)
         * (0.85 + pg_temp.pick(e, 6, 31) / 100.0), -2)
FROM (
  SELECT e,
         (SELECT names FROM first_names)[1 + (e * 5) % 48] AS first_name,
         (SELECT names FROM last_names)[1 + (e * 13 + 3) % 48] AS last_name,
         CASE WHEN e = 1 THEN 1 WHEN e <= 7 THEN e
              ELSE (ARRAY[2, 2, 2, 2, 3, 3, 4, 4, 4, 5, 6, 7, 7])[1 + pg_temp.pick(e, 2, 13)] END AS dept,
         CASE WHEN e <= 7 THEN date '2019-03-01' + 40 * e
              ELSE date '2019-06-01' + pg_temp.pick(e, 7, 2200) END AS hired_on
  FROM generate_series(1, 48) AS e
) AS staff
JOIN hr.departments AS d ON d.department_id = staff.dept
ORDER BY e;

-- Customer i signs up at a steady pace from January 2023; (a, b) below is a bijection of i, so
-- every consumer name and every business name is unique.
INSERT INTO customers (customer_id, name, segment, email, phone, country_code, city,
                       account_manager_id, signed_up_at, marketing_opt_in)
SELECT i,
       CASE WHEN segment = 'consumer' THEN fn.names[1 + a] || ' ' || ln.names[1 + b]
            ELSE ln.names[1 + b] || ' & ' || ln.names[1 + a] || ' '
                 || CASE WHEN segment = 'enterprise'
                         THEN (ARRAY['Resorts Group', 'Hospitality', 'Outdoor Retail', 'Holdings',
                                     'Parks Authority', 'Expeditions Ltd'])[1 + pg_temp.pick(i, 8, 6)]
                         ELSE (ARRAY['Outdoor Club', 'Adventure School', 'Mountain Guides',
                                     'Scout Group', 'Ski School', 'Trail Runners', 'Kayak Centre',
                                     'Climbing Gym'])[1 + pg_temp.pick(i, 8, 8)] END
       END,
       segment,
       CASE WHEN segment = 'consumer'
            THEN regexp_replace(lower(fn.names[1 + a] || '.' || ln.names[1 + b]), '[^a-z.]', '', 'g')
                 || '@' || (ARRAY['mail.example', 'inbox.example', 'post.example'])[1 + pg_temp.pick(i, 9, 3)]
            ELSE 'purchasing@' || regexp_replace(lower(ln.names[1 + b] || ln.names[1 + a]), '[^a-z]', '', 'g')
                 || '.example'
       END,
       CASE WHEN pg_temp.pick(i, 10, 10) < 7
            THEN '+' || c.dial_code || ' ' || lpad(pg_temp.pick(i, 11, 100000000)::text, 8, '0') END,
       c.country_code,
       city.city,
       CASE WHEN segment <> 'consumer' THEN reps.ids[1 + pg_temp.pick(i, 12, cardinality(reps.ids))] END,
       timestamptz '2023-01-01 00:00:00+00' + (i - 1) * interval '1 day' * (1444.0 / 1500),
       pg_temp.pick(i, 13, 100) < 45
FROM (
  SELECT i, i0 % 48 AS a, (i0 / 48 + 7 * (i0 % 48)) % 48 AS b,
         CASE WHEN pg_temp.pick(i, 1, 100) < 80 THEN 'consumer'
              WHEN pg_temp.pick(i, 1, 100) < 95 THEN 'small_business'
              ELSE 'enterprise' END::customer_segment AS segment,
         (ARRAY['US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'CA', 'CA', 'MX', 'GB', 'GB', 'GB',
                'DE', 'DE', 'DE', 'DE', 'FR', 'FR', 'NL', 'NL', 'SE', 'NO', 'ES', 'IT', 'CH', 'AT',
                'AU', 'AU', 'NZ', 'JP'])[1 + pg_temp.pick(i, 4, 32)] AS country_code
  FROM generate_series(1, 1500) AS i, LATERAL (SELECT i - 1 AS i0) AS z
) AS base
JOIN countries AS c USING (country_code)
JOIN cities AS city ON city.country_code = base.country_code AND city.idx = 1 + pg_temp.pick(i, 5, 3)
CROSS JOIN first_names AS fn
CROSS JOIN last_names AS ln
CROSS JOIN (SELECT array_agg(employee_id ORDER BY employee_id) AS ids FROM hr.employees
            WHERE job_title = 'Account Manager' AND left_on IS NULL) AS reps
ORDER BY i;

INSERT INTO suppliers (supplier_id, name, country_code, contact_email, lead_time_days) VALUES
  (1, 'Fjellstrøm Textiles', 'NO', 'orders@fjellstrom.example', 21),
  (2, 'Cascade Shelter Works', 'US', 'sales@cascadeshelter.example', 12),
  (3, 'Alpenlicht GmbH', 'DE', 'vertrieb@alpenlicht.example', 18),
  (4, 'Kiyomizu Outdoor Industries', 'JP', 'export@kiyomizu.example', 35),
  (5, 'Granite Peak Footwear', 'US', 'wholesale@granitepeak.example', 14),
  (6, 'Dolomiti Calzature', 'IT', 'ordini@dolomiti.example', 25),
  (7, 'Northern Loom Merino', 'NZ', 'trade@northernloom.example', 40),
  (8, 'Trailcraft Packs', 'CA', 'b2b@trailcraft.example', 16),
  (9, 'Helvetia Mountain Tech', 'CH', 'sales@helvetiamt.example', 20),
  (10, 'Ember & Iron Cookware', 'US', 'orders@emberiron.example', 10),
  (11, 'Baltic Down Company', 'SE', 'sales@balticdown.example', 28),
  (12, 'Pyrenees Climbing Supply', 'ES', 'pedidos@pyrenees.example', 22),
  (13, 'Southern Cross Gear', 'AU', 'trade@southerncross.example', 38),
  (14, 'Lakeland Navigation Ltd', 'GB', 'orders@lakelandnav.example', 15),
  (15, 'Polder Outdoor BV', 'NL', 'inkoop@polderoutdoor.example', 9),
  (16, 'Tirol Sportartikel', 'AT', 'office@tirolsport.example', 17),
  (17, 'Sierra Madre Supply', 'MX', 'ventas@sierramadre.example', 24),
  (18, 'Maple Ridge Hydration', 'CA', 'hello@mapleridge.example', 11);

INSERT INTO categories (category_id, name, parent_id, description) VALUES
  (1, 'Camping', NULL, 'Everything for a night outdoors'),
  (2, 'Clothing & Footwear', NULL, 'Technical clothing and shoes'),
  (3, 'Packs & Accessories', NULL, 'Packs, bottles, poles and small gear'),
  (4, 'Climbing & Navigation', NULL, 'Gear for vertical terrain and finding the way'),
  (5, 'Tents', 1, 'Backpacking and family tents'),
  (6, 'Sleeping Bags', 1, 'Down and synthetic sleeping bags'),
  (7, 'Camp Kitchen', 1, 'Stoves, pots and cooksets'),
  (8, 'Lighting', 1, 'Headlamps and lanterns'),
  (9, 'Jackets', 2, 'Rain shells and insulated jackets'),
  (10, 'Footwear', 2, 'Hiking boots and trail running shoes'),
  (11, 'Base Layers', 2, 'Merino and synthetic base layers'),
  (12, 'Backpacks', 3, 'Trekking packs and daypacks'),
  (13, 'Climbing Gear', 4, 'Harnesses, carabiners and protection'),
  (14, 'Navigation & Electronics', 4, 'GPS watches, compasses and maps'),
  (15, 'Accessories', 3, 'Bottles, trekking poles and small items');

-- Eleven categories with twelve models each; two product types per category alternate by model.
-- Models 10 and 11 are new (launched during 2024 and 2025); models 0 and 1 of every third category
-- were discontinued after September 2025.
CREATE TEMPORARY TABLE product_types (k integer, noun text, base_price numeric, base_weight integer);
INSERT INTO product_types VALUES
  (0, '2P Tent', 299, 1900), (1, 'Family Tent', 449, 6500),
  (2, 'Down Sleeping Bag', 279, 950), (3, 'Synthetic Sleeping Bag', 149, 1400),
  (4, 'Camp Stove', 79, 350), (5, 'Cookset', 59, 480),
  (6, 'Headlamp', 45, 90), (7, 'Lantern', 39, 260),
  (8, 'Rain Jacket', 199, 380), (9, 'Insulated Jacket', 239, 520),
  (10, 'Hiking Boot', 179, 1300), (11, 'Trail Runner', 139, 600),
  (12, 'Merino Crew', 85, 180), (13, 'Thermal Tights', 59, 170),
  (14, '45L Backpack', 189, 1500), (15, 'Daypack', 89, 650),
  (16, 'Climbing Harness', 69, 380), (17, 'Carabiner Set', 49, 300),
  (18, 'GPS Watch', 349, 60), (19, 'Compass', 35, 40),
  (20, 'Water Bottle', 25, 150), (21, 'Trekking Poles', 119, 480);

INSERT INTO products (product_id, sku, name, category_id, supplier_id, list_price, unit_cost,
                      weight_grams, units_in_stock, reorder_level, launched_on, discontinued)
SELECT p, sku, name, 5 + l, supplier_id, list_price,
       round(list_price * (0.42 + pg_temp.pick(p, 1, 20) / 100.0), 2),
       round(t.base_weight * (0.8 + pg_temp.pick(p, 2, 41) / 100.0))::integer,
       CASE WHEN pg_temp.pick(p, 3, 10) = 0 THEN 0 ELSE 5 + pg_temp.pick(p, 4, 400) END,
       20 + 10 * pg_temp.pick(p, 5, 5),
       CASE WHEN m >= 10 THEN date '2024-03-01' + pg_temp.pick(p, 6, 540)
            ELSE date '2021-01-01' + pg_temp.pick(p, 6, 1000) END,
       m <= 1 AND l % 3 = 0
FROM (
  SELECT l * 12 + m + 1 AS p, l, m,
         (ARRAY['Summit', 'Ridgeline', 'Alder', 'Basalt', 'Cirrus', 'Drift', 'Ember', 'Fjord',
                'Granite', 'Harbor', 'Juniper', 'Kestrel'])[1 + m] AS model,
         (ARRAY['TEN', 'SLP', 'KIT', 'LGT', 'JKT', 'FTW', 'BSL', 'PAK', 'CLM', 'NAV', 'ACC'])[1 + l] AS code,
         l * 2 + m % 2 AS k,
         (ARRAY[2, 11, 10, 3, 1, 5, 7, 8, 12, 14, 18])[1 + l] AS supplier_a,
         (ARRAY[15, 1, 4, 13, 9, 6, 16, 15, 9, 4, 17])[1 + l] AS supplier_b
  FROM generate_series(0, 10) AS l, generate_series(0, 11) AS m
) AS grid
JOIN product_types AS t USING (k),
LATERAL (SELECT code || '-' || upper(left(model, 3)) || '-' || lpad(p::text, 3, '0') AS sku,
                model || ' ' || t.noun AS name,
                CASE WHEN pg_temp.pick(p, 7, 3) = 0 THEN supplier_b ELSE supplier_a END AS supplier_id,
                round(t.base_price * (0.75 + 0.05 * (m / 2))) - 0.01 AS list_price) AS derived
ORDER BY p;

-- Orders grow over time (density rising linearly, twice as many per day at the end as at the
-- start) from 2024-01-01 to 2026-12-31. A customer only orders after signing up, and early
-- customers order more often.
INSERT INTO orders (order_id, customer_id, ordered_at, status, channel, shipping_fee, shipped_at,
                    delivered_at)
WITH placed AS (
  SELECT n,
         day,
         timestamptz '2024-01-01 00:00:00+00' + day * interval '1 day'
           + (420 + pg_temp.pick(n, 2, 900)) * interval '1 minute' AS ordered_at,
         least(1500, floor((day + 365) * 1500 / 1444.0))::integer AS signed_up
  FROM generate_series(1, 6000) AS n,
       LATERAL (SELECT floor(1096 * (sqrt(1 + 3 * (n - 1) / 6000.0) - 1))::integer AS day) AS d
), chosen AS (
  SELECT placed.*,
         1 + floor(signed_up * pg_temp.unit(n, 3) ^ 1.3)::integer AS customer_id,
         date '2026-12-31' - (date '2024-01-01' + day) AS age_days,
         pg_temp.pick(n, 4, 100) AS fate
  FROM placed
), with_status AS (
  SELECT chosen.*, c.segment, k.region, c.country_code,
         CASE WHEN fate < 4 THEN 'cancelled'
              WHEN age_days <= 2 THEN 'pending'
              WHEN age_days <= 4 THEN 'paid'
              WHEN age_days <= 9 THEN 'shipped'
              WHEN fate < 8 AND age_days > 40 THEN 'returned'
              ELSE 'delivered' END::order_status AS status,
         ordered_at + (18 + pg_temp.pick(n, 5, 54)) * interval '1 hour' AS ship_time
  FROM chosen
  JOIN customers AS c USING (customer_id)
  JOIN countries AS k USING (country_code)
)
SELECT n, customer_id, ordered_at, status,
       CASE WHEN segment <> 'consumer' THEN
              CASE WHEN pg_temp.pick(n, 6, 10) < 4 THEN 'phone' ELSE 'web' END
            ELSE (ARRAY['web', 'web', 'web', 'web', 'web', 'web', 'mobile_app', 'mobile_app',
                        'mobile_app', 'marketplace'])[1 + pg_temp.pick(n, 6, 10)] END,
       CASE WHEN segment = 'enterprise' THEN 0
            WHEN country_code = 'US' THEN 5.95
            WHEN region = 'North America' THEN 12.95
            WHEN region = 'Europe' THEN 14.95
            ELSE 19.95 END,
       CASE WHEN status IN ('shipped', 'delivered', 'returned') THEN ship_time END,
       CASE WHEN status IN ('delivered', 'returned')
            THEN ship_time + (1 + pg_temp.pick(n, 7, 6)) * interval '1 day'
                           + pg_temp.pick(n, 8, 600) * interval '1 minute' END
FROM with_status
ORDER BY n;

-- One to five distinct products per order; popular products are spread over all categories.
-- A product not launched yet is replaced by the older model two places before it, a discontinued
-- one by its successor two places after it.
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, discount)
WITH lines AS (
  SELECT o.order_id, o.ordered_at, c.segment, line,
         1 + ((floor(132 * pg_temp.unit(o.order_id, 21) ^ 1.6)::integer * 37
               + line * (1 + pg_temp.pick(o.order_id, 22, 23))) % 132) AS wanted
  FROM orders AS o
  JOIN customers AS c USING (customer_id),
  LATERAL generate_series(
    1, (ARRAY[1, 1, 1, 2, 2, 2, 3, 3, 4, 5])[1 + pg_temp.pick(o.order_id, 20, 10)]) AS line
), sold AS (
  SELECT DISTINCT ON (lines.order_id, x.product_id) lines.*, x.product_id
  FROM lines
  JOIN products AS p ON p.product_id = lines.wanted,
  LATERAL (SELECT CASE
             WHEN p.launched_on > (lines.ordered_at AT TIME ZONE 'UTC')::date THEN lines.wanted - 2
             WHEN p.discontinued AND lines.ordered_at >= timestamptz '2025-10-01 00:00:00+00'
               THEN lines.wanted + 2
             ELSE lines.wanted END AS product_id) AS x
  ORDER BY lines.order_id, x.product_id, lines.line
)
SELECT sold.order_id,
       row_number() OVER (PARTITION BY sold.order_id ORDER BY line),
       sold.product_id,
       CASE sold.segment
         WHEN 'consumer' THEN (ARRAY[1, 1, 1, 1, 2, 2, 3])[1 + pg_temp.pick(sold.order_id * 8 + line, 23, 7)]
         WHEN 'small_business' THEN 2 + pg_temp.pick(sold.order_id * 8 + line, 23, 9)
         ELSE 5 + pg_temp.pick(sold.order_id * 8 + line, 23, 36) END,
       round(p.list_price * CASE extract(year FROM sold.ordered_at AT TIME ZONE 'UTC')
                              WHEN 2024 THEN 0.92 WHEN 2025 THEN 0.96 ELSE 1 END, 2),
       CASE sold.segment
         WHEN 'enterprise' THEN 0.15
         WHEN 'small_business' THEN 0.05
         ELSE CASE WHEN to_char(sold.ordered_at AT TIME ZONE 'UTC', 'MM-DD') BETWEEN '11-24' AND '11-30'
                     THEN 0.20
                   WHEN pg_temp.pick(sold.order_id, 24, 10) = 0 THEN 0.10
                   ELSE 0 END END
FROM sold
JOIN products AS p ON p.product_id = sold.product_id
ORDER BY 1, 2;

-- Free shipping from 150 dollars of goods.
UPDATE orders AS o SET shipping_fee = 0
FROM order_totals AS t
WHERE t.order_id = o.order_id AND t.net_amount >= 150 AND o.shipping_fee > 0;

-- Cards and PayPal are charged within minutes, transfers arrive within days, invoices are due
-- after two to six weeks; invoices not yet settled at the end of 2026 have no payment row.
INSERT INTO payments (payment_id, order_id, paid_at, amount, method, provider_reference)
SELECT row_number() OVER (ORDER BY paid_at, order_id), order_id, paid_at, total_amount, method,
       upper(left(method::text, 2)) || '-' || to_char(paid_at AT TIME ZONE 'UTC', 'YYYYMMDD') || '-'
         || lpad(order_id::text, 6, '0')
FROM (
  SELECT t.order_id, t.total_amount, m.method,
         t.ordered_at + CASE m.method
           WHEN 'bank_transfer' THEN (1 + pg_temp.pick(t.order_id, 31, 4)) * interval '1 day'
           WHEN 'invoice' THEN (14 + pg_temp.pick(t.order_id, 31, 32)) * interval '1 day'
           ELSE (1 + pg_temp.pick(t.order_id, 31, 30)) * interval '1 minute' END AS paid_at
  FROM order_totals AS t
  JOIN customers AS c USING (customer_id),
  LATERAL (SELECT CASE c.segment
             WHEN 'enterprise' THEN (ARRAY['invoice', 'invoice', 'bank_transfer'])[1 + pg_temp.pick(t.order_id, 30, 3)]
             WHEN 'small_business' THEN (ARRAY['card', 'card', 'bank_transfer', 'invoice'])[1 + pg_temp.pick(t.order_id, 30, 4)]
             ELSE (ARRAY['card', 'card', 'card', 'paypal', 'paypal'])[1 + pg_temp.pick(t.order_id, 30, 5)]
           END::payment_method AS method) AS m
  WHERE t.status NOT IN ('pending', 'cancelled')
) AS due
WHERE paid_at < timestamptz '2027-01-01 00:00:00+00';

-- Returned orders send back the first line, and a third of them the second line too.
INSERT INTO returns (return_id, order_id, line_no, returned_at, quantity, reason, refund_amount)
SELECT row_number() OVER (ORDER BY returned_at, order_id, line_no), order_id, line_no, returned_at,
       quantity, reason, round(quantity * unit_price * (1 - discount), 2)
FROM (
  SELECT o.order_id, i.line_no, i.unit_price, i.discount,
         o.delivered_at + (3 + pg_temp.pick(o.order_id * 8 + i.line_no, 40, 18)) * interval '1 day'
           AS returned_at,
         1 + pg_temp.pick(o.order_id * 8 + i.line_no, 41, i.quantity) AS quantity,
         (ARRAY['damaged in transit', 'wrong size', 'not as described', 'changed mind',
                'defective', 'arrived too late'])[1 + pg_temp.pick(o.order_id * 8 + i.line_no, 42, 6)] AS reason
  FROM orders AS o
  JOIN order_items AS i USING (order_id)
  WHERE o.status = 'returned'
    AND (i.line_no = 1 OR (i.line_no = 2 AND pg_temp.pick(o.order_id, 43, 3) = 0))
) AS sent_back;

REFRESH MATERIALIZED VIEW monthly_category_sales;

ANALYZE;
