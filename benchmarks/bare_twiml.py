"""The reference for benchmarks/call_storm.py: a bare Flask endpoint returning fixed TwiML."""

from flask import Flask, Response

TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response>'
         '<Say language="cmn-CN" voice="Polly.Zhiyu">您好！这里是供水总公司客服热线。</Say>'
         '<Gather action="/ivr/menu?lang=zh&amp;attempt=0" input="dtmf" method="POST" '
         'numDigits="1" timeout="6"><Say language="cmn-CN" voice="Polly.Zhiyu">查询水费余额，'
         '请按1。查询您所在区域的停水信息，请按2。查询工单办理进度，请按3。报漏或报停水，请按4。'
         '人工服务，请按0。</Say><Say language="en-US" voice="Polly.Joanna">For English, press 9.'
         '</Say></Gather><Redirect method="POST">/ivr/menu?lang=zh&amp;attempt=0</Redirect>'
         '</Response>')

app = Flask(__name__)


@app.post("/ivr/voice")
def voice():
    return Response(TWIML, mimetype="text/xml")


@app.post("/webhooks/twilio/call-status")
def call_status():
    return "", 204
