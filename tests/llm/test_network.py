"""Which proxy a request takes, with credentials masked, as httpx reads the environment."""

from assistant.llm.network import mask_url, proxy_for


def test_https_endpoints_take_https_proxy_and_local_ones_can_be_exempted():
    env = {"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": "localhost,.internal,127.0.0.1:8000"}
    assert proxy_for("https://api.deepseek.com/v1", env) == "http://proxy.corp:3128"
    assert proxy_for(None, env) == "http://proxy.corp:3128"  # OpenAI's default endpoint
    assert proxy_for("http://localhost:11434/v1", env) is None  # http: HTTPS_PROXY does not apply
    assert proxy_for("https://llm.internal/v1", env) is None
    assert proxy_for("http://127.0.0.1:8000/v1", env | {"HTTP_PROXY": "http://p:1"}) is None
    assert proxy_for("http://127.0.0.1:9000/v1", env | {"HTTP_PROXY": "http://p:1"}) == "http://p:1"
    assert proxy_for("https://api.openai.com/v1", {"all_proxy": "socks5://s:1080"}) == "socks5://s:1080"
    assert proxy_for("https://api.openai.com/v1", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}) is None


def test_proxy_passwords_are_masked():
    assert mask_url("http://user:s3cret@proxy.corp:3128") == "http://user:***@proxy.corp:3128"
    assert proxy_for("https://x/v1", {"HTTPS_PROXY": "http://u:pw@p:8080"}) == "http://u:***@p:8080"
    assert mask_url("http://proxy.corp:3128") == "http://proxy.corp:3128"
